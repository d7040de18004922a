import { randomBytes } from "node:crypto"
import type { Exchange } from "../request.js"
import { compactPythonJson } from "../json.js"
import { pyBigInt, pyFloat, pyInt } from "../parse.js"
import { PythonRandom } from "../prng.js"
import { badRequest, escapeHtml, HttpError, OCTET_STREAM, redirect, send, sendHtml } from "../response.js"
import { get, type Route } from "../router.js"
import { sleep, writeChunk } from "../timing.js"

/** Dynamic data: /bytes, /stream-bytes, /stream, /range, /drip, /base64, /links. */

const MAX_BYTES = 100 * 1024
const MAX_DRIP_BYTES = 10 * 1024 * 1024

const intParam = (ex: Exchange, name: string, fallback: number): number => {
  const text = ex.args.getIgnoreCase(name)
  if (text === undefined) return fallback
  const value = pyInt(text)
  if (value === undefined) throw badRequest(`${name} must be an integer`)
  return value
}

const floatParam = (ex: Exchange, name: string, fallback: number): number => {
  const text = ex.args.getIgnoreCase(name)
  if (text === undefined) return fallback
  const value = pyFloat(text)
  if (value === undefined) throw badRequest(`${name} must be a number`)
  return value
}

/** Random bytes, reproducible with ?seed= (the same bytes httpbin.org returns for that seed). */
const randomSource = (ex: Exchange): ((n: number) => Uint8Array) => {
  const seedText = ex.args.getIgnoreCase("seed")
  if (seedText === undefined) return (n) => randomBytes(n)
  const seed = pyBigInt(seedText)
  if (seed === undefined) throw badRequest("seed must be an integer")
  const rng = new PythonRandom(seed)
  return (n) => rng.fill(new Uint8Array(n))
}

const startStream = (ex: Exchange, status: number, headers: Record<string, string | number>) => {
  for (const [name, value] of Object.entries(headers)) ex.res.setHeader(name, value)
  ex.res.writeHead(status)
}

/** Parses a Range header the way httpbin does (a single range; anything odd means "everything"). */
const requestedRange = (header: string | undefined, size: number): readonly [number, number] => {
  let first: number | undefined
  let last: number | undefined
  const text = header?.trim() ?? ""
  const pieces = text.startsWith("bytes") ? text.split("=") : []
  if (pieces.length === 2) {
    const bounds = pieces[1]!.split("-")
    first = pyInt(bounds[0])
    last = pyInt(bounds[1])
  }
  if (first === undefined && last === undefined) return [0, size - 1]
  if (first === undefined) return [Math.max(0, size - last!), size - 1]
  if (last === undefined) return [first, size - 1]
  return [first, last]
}

const rangeRequest = async (ex: Exchange) => {
  const size = Number(ex.params[0])
  const etag = `range${size}`
  if (size <= 0 || size > MAX_BYTES) {
    return send(ex, 404, "number of bytes must be in the range (0, 102400]", "text/html; charset=utf-8", {
      ETag: etag,
      "Accept-Ranges": "bytes"
    })
  }
  const chunkSize = Math.max(1, intParam(ex, "chunk_size", 10 * 1024))
  const duration = floatParam(ex, "duration", 0)
  const [first, last] = requestedRange(ex.header("range"), size)
  if (first > last || first < 0 || first >= size || last < 0 || last >= size) {
    return send(ex, 416, "", "text/html; charset=utf-8", {
      ETag: etag,
      "Accept-Ranges": "bytes",
      "Content-Range": `bytes */${size}`
    })
  }
  const length = last + 1 - first
  // The same letters every time ('a' + offset % 26), so ranges of one resource fit together.
  const body = Buffer.alloc(length)
  for (let i = 0; i < length; i++) body[i] = 97 + ((first + i) % 26)
  const status = first === 0 && last === size - 1 ? 200 : 206
  const headers = {
    "Content-Type": OCTET_STREAM,
    ETag: etag,
    "Accept-Ranges": "bytes",
    "Content-Length": length,
    "Content-Range": `bytes ${first}-${last}/${size}`
  }
  if (duration <= 0) return send(ex, status, body, undefined, headers)
  startStream(ex, status, headers)
  const pausePerByte = (duration * 1000) / size
  for (let offset = 0; offset < length; offset += chunkSize) {
    const chunk = body.subarray(offset, offset + chunkSize)
    if (!(await sleep(pausePerByte * chunk.length, ex.signal)) || !(await writeChunk(ex, chunk))) return
  }
  ex.res.end()
}

/** Bytes of "*" spread over `duration` seconds after `delay`; batches when the pace is faster than 10 ms/byte. */
const drip = async (ex: Exchange) => {
  const durationMs = floatParam(ex, "duration", 2) * 1000
  const numbytes = Math.min(intParam(ex, "numbytes", 10), MAX_DRIP_BYTES)
  const code = intParam(ex, "code", 200)
  if (numbytes <= 0) throw new HttpError(400, "number of bytes must be positive")
  if (code < 100 || code > 999) throw badRequest("code must be a three-digit status code")
  const delayMs = floatParam(ex, "delay", 0) * 1000
  if (delayMs > 0 && !(await sleep(delayMs, ex.signal))) return
  startStream(ex, code, { "Content-Type": OCTET_STREAM, "Content-Length": numbytes })
  const pause = Math.max(0, durationMs) / numbytes
  const started = Date.now()
  let sent = 0
  while (sent < numbytes) {
    // httpbin writes one byte, then sleeps `pause`; byte i is due at i * pause.
    const due = pause === 0 ? numbytes : Math.min(numbytes, Math.floor((Date.now() - started) / pause) + 1)
    if (due > sent) {
      if (!(await writeChunk(ex, Buffer.alloc(due - sent, "*")))) return
      sent = due
    }
    const wait = sent * pause - (Date.now() - started)
    if (!(await sleep(Math.max(wait, sent < numbytes ? 10 : 0), ex.signal))) return
  }
  ex.res.end()
}

const BASE64_HINT = "Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l"
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Python's urlsafe_b64decode: skips foreign characters but insists on correct padding. */
const decodeBase64Url = (value: string): string | undefined => {
  const cleaned = value.replace(/[^A-Za-z0-9\-_=]/g, "")
  if (cleaned.length % 4 !== 0 || !/^[A-Za-z0-9\-_]*={0,2}$/.test(cleaned)) return undefined
  try {
    return utf8.decode(Buffer.from(cleaned, "base64url"))
  } catch {
    return undefined
  }
}

export const dynamicRoutes: ReadonlyArray<Route> = [
  get("/bytes/<int:n>", (ex) => {
    const n = Math.min(Number(ex.params[0]), MAX_BYTES)
    send(ex, 200, Buffer.from(randomSource(ex)(n)), OCTET_STREAM)
  }),
  get("/stream-bytes/<int:n>", async (ex) => {
    const n = Math.min(Number(ex.params[0]), MAX_BYTES)
    const chunkSize = Math.max(1, intParam(ex, "chunk_size", 10 * 1024))
    const next = randomSource(ex)
    startStream(ex, 200, { "Content-Type": OCTET_STREAM })
    for (let sent = 0; sent < n; sent += chunkSize) {
      if (!(await writeChunk(ex, next(Math.min(chunkSize, n - sent))))) return
    }
    ex.res.end()
  }),
  // Not httpbin's: a large body to stream (up to 4 GiB) without holding it, zeros in 64 KiB writes.
  get("/zeros/<int:n>", async (ex) => {
    const n = Math.min(Number(ex.params[0]), 4 * 1024 ** 3)
    startStream(ex, 200, { "Content-Type": OCTET_STREAM, "Content-Length": n })
    const block = Buffer.alloc(64 * 1024)
    for (let sent = 0; sent < n; sent += block.length) {
      if (!(await writeChunk(ex, n - sent < block.length ? block.subarray(0, n - sent) : block))) return
    }
    ex.res.end()
  }),
  get("/stream/<int:n>", async (ex) => {
    const n = Math.min(Number(ex.params[0]), 100)
    const base = ex.echo(["url", "args", "headers", "origin"])
    startStream(ex, 200, { "Content-Type": "application/json" })
    for (let id = 0; id < n; id++) {
      if (!(await writeChunk(ex, compactPythonJson({ ...base, id }) + "\n"))) return
    }
    ex.res.end()
  }),
  get("/range/<int:numbytes>", rangeRequest),
  get("/drip", drip),
  get("/base64/<value>", (ex) => sendHtml(ex, decodeBase64Url(ex.params[0] ?? "") ?? BASE64_HINT)),
  get("/links/<int:n>", (ex) => redirect(ex, `/links/${Number(ex.params[0])}/0`)),
  get("/links/<int:n>/<int:offset>", (ex) => {
    const n = Math.min(Math.max(1, Number(ex.params[0])), 200)
    const offset = Number(ex.params[1])
    let html = "<html><head><title>Links</title></head><body>"
    for (let i = 0; i < n; i++) {
      html += i === offset ? `${i} ` : `<a href='${escapeHtml(`/links/${n}/${i}`)}'>${i}</a> `
    }
    sendHtml(ex, html + "</body></html>")
  })
]
