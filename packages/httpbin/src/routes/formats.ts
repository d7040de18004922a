import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib"
import {
  ANGRY_ASCII,
  FORMS_POST_HTML,
  MOBY_HTML,
  ROBOTS_TXT,
  SAMPLE_JSON,
  SAMPLE_XML,
  SVG_LOGO,
  UTF8_DEMO
} from "../content.js"
import { prettyJson } from "../json.js"
import { PIG_PNG } from "../png.js"
import type { Exchange } from "../request.js"
import { pyFloat } from "../parse.js"
import { badRequest, JSON_TYPE, OCTET_STREAM, send, sendHtml, sendJson, statusResponse } from "../response.js"
import { get, type Route } from "../router.js"

/** Response formats: compressed JSON, HTML, XML, JSON, text, images. */

const compressed = (flag: string, encoding: string, compress: (data: Buffer) => Buffer) => (ex: Exchange) => {
  const body = prettyJson({ ...ex.echo(["origin", "headers"]), method: ex.method, [flag]: true })
  send(ex, 200, compress(Buffer.from(body, "utf8")), JSON_TYPE, { "Content-Encoding": encoding })
}

const MIB = 1024 * 1024
// One gzip member of 1 MiB of zeros (about 1 KiB); a bomb of n MiB is n of them back to back, a valid
// multi-member gzip stream, made without compressing n MiB.
let zeroMember: Buffer | undefined
const bomb = (ex: Exchange) => {
  const mib = Math.min(Math.max(0, Number(ex.params[0])), 4096)
  zeroMember ??= gzipSync(Buffer.alloc(MIB), { level: 9 })
  const body = Buffer.concat(Array.from({ length: mib }, () => zeroMember!))
  send(ex, 200, body, OCTET_STREAM, { "Content-Encoding": "gzip" })
}

const MAX_BIG_JSON_MB = 64

/** Big JSON documents by size in bytes, made once each: the same bytes for every request. */
const bigJson = new Map<number, Buffer>()

/**
 * A JSON document of `size` bytes (to the byte): `{"items":[...]}` of small records, as a real API
 * page would be, padded with spaces before the closing brace.
 */
const makeBigJson = (size: number): Buffer => {
  const parts = ['{"items":[']
  let length = parts[0]!.length + 2
  for (let i = 0; ; i++) {
    const item = `${i === 0 ? "" : ","}{"id":${i},"name":"item-${i}","tags":["a","b"],"price":${(i % 1000) / 10},"active":${i % 2 === 0}}`
    if (length + item.length > size) break
    parts.push(item)
    length += item.length
  }
  parts.push("]", " ".repeat(Math.max(0, size - length)), "}")
  return Buffer.from(parts.join(""), "utf8")
}

const png = (ex: Exchange) => send(ex, 200, PIG_PNG, "image/png")
const svg = (ex: Exchange) => send(ex, 200, SVG_LOGO, "image/svg+xml")

export const formatRoutes: ReadonlyArray<Route> = [
  // Python's gzip at compresslevel=4 and zlib.compressobj() (zlib-wrapped deflate), as httpbin.
  get("/gzip", compressed("gzipped", "gzip", (data) => gzipSync(data, { level: 4 }))),
  get("/deflate", compressed("deflated", "deflate", (data) => deflateSync(data))),
  get(
    "/brotli",
    compressed("brotli", "br", (data) =>
      brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_SIZE_HINT]: data.length } })
    )
  ),
  // Not httpbin's: a compression bomb for clients' limits, `:mib` MiB of zeros (up to 4096) gzipped ~1000:1.
  get("/bomb/<int:mib>", bomb),
  get("/encoding/utf8", (ex) => sendHtml(ex, UTF8_DEMO)),
  get("/html", (ex) => sendHtml(ex, MOBY_HTML)),
  get("/json", (ex) => sendJson(ex, SAMPLE_JSON)),
  get("/json/big", (ex) => {
    const text = ex.args.getIgnoreCase("mb") ?? "1"
    const mb = pyFloat(text)
    if (mb === undefined || !(mb > 0) || mb > MAX_BIG_JSON_MB) {
      throw badRequest(`mb must be a number in (0, ${MAX_BIG_JSON_MB}]`)
    }
    const size = Math.max(16, Math.round(mb * 1024 * 1024))
    let body = bigJson.get(size)
    if (body === undefined) bigJson.set(size, body = makeBigJson(size))
    send(ex, 200, body, JSON_TYPE)
  }),
  get("/xml", (ex) => send(ex, 200, SAMPLE_XML, "application/xml")),
  get("/robots.txt", (ex) => send(ex, 200, ROBOTS_TXT, "text/plain")),
  get("/deny", (ex) => send(ex, 200, ANGRY_ASCII, "text/plain")),
  get("/forms/post", (ex) => sendHtml(ex, FORMS_POST_HTML)),
  get("/image", (ex) => {
    // httpbin's content negotiation, minus the JPEG and WebP images this server does not carry.
    const accept = ex.header("accept")?.toLowerCase()
    if (accept === undefined) return png(ex)
    if (accept.includes("image/svg+xml")) return svg(ex)
    if (accept.includes("image/png") || accept.includes("image/*") || accept.includes("*/*")) return png(ex)
    statusResponse(ex, 406)
  }),
  get("/image/png", png),
  get("/image/svg", svg)
]
