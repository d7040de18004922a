import type { Exchange } from "./request.js"
import { DIGITS } from "./parse.js"
import { badRequest, empty, sendJson } from "./response.js"
import { route, type Route } from "./router.js"
import { sleep, writeChunk } from "./timing.js"

/**
 * Endpoints httpbin does not have: responses that break HTTP in the ways real servers and
 * networks do, for testing a client's error handling. Every one answers any method.
 */

const MAX_STALL_MS = 10 * 60 * 1000
// Long enough for the bytes already written to reach the client before the connection breaks.
const FLUSH_GRACE_MS = 50

const stallMs = (ex: Exchange): number => {
  const text = ex.params[0] ?? ""
  if (!DIGITS.test(text)) throw badRequest("the stall must be a whole number of milliseconds")
  return Math.min(Number(text), MAX_STALL_MS)
}

/** Writes, lets the bytes reach the client, then breaks the connection the given way. */
const writeThenBreak = async (ex: Exchange, bytes: string, how: (ex: Exchange) => void) => {
  if (!(await writeChunk(ex, bytes))) return
  if (await sleep(FLUSH_GRACE_MS, ex.signal)) how(ex)
}

const endSocket = (ex: Exchange) => {
  // end(), not destroy(): a FIN after the data, exactly as a server that gives up mid-body.
  ex.breakConnection().end()
}

const ALL = "*" as const

export const faultRoutes: ReadonlyArray<Route> = [
  route("/fault/close-before-response", ALL, (ex) => {
    ex.breakConnection().destroy()
  }),
  route("/fault/reset-mid-body", ALL, async (ex) => {
    ex.res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": 1000 })
    await writeThenBreak(ex, "x".repeat(100), (e) => {
      e.breakConnection().resetAndDestroy()
    })
  }),
  route("/fault/truncated-chunked", ALL, async (ex) => {
    // No Content-Length: node:http frames the body as chunked, and the final 0-chunk never comes.
    ex.res.writeHead(200, { "Content-Type": "text/plain" })
    for (let i = 0; i < 3; i++) {
      if (!(await writeChunk(ex, `chunk ${i}\n`))) return
    }
    if (await sleep(FLUSH_GRACE_MS, ex.signal)) endSocket(ex)
  }),
  route("/fault/short-content-length", ALL, async (ex) => {
    ex.res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": 1000 })
    await writeThenBreak(ex, "0123456789", endSocket)
  }),
  route("/fault/bad-gzip", ALL, (ex) => {
    const body = Buffer.from("this body claims to be gzip but is plain text\n")
    ex.res.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Encoding": "gzip",
      "Content-Length": body.length
    })
    ex.res.end(body)
  }),
  route("/fault/stall-headers/<ms>", ALL, async (ex) => {
    const ms = stallMs(ex)
    if (await sleep(ms, ex.signal)) sendJson(ex, { ...ex.echo(["url", "args", "headers", "origin"]), stalled_ms: ms })
  }),
  route("/fault/stall-body/<ms>", ALL, async (ex) => {
    const ms = stallMs(ex)
    const chunks = Math.min(Math.max(Number(ex.args.get("chunks") ?? "3") || 0, 1), 1000)
    const pieces = Array.from({ length: chunks }, (_, i) => `chunk ${i}\n`)
    ex.res.writeHead(200, {
      "Content-Type": "text/plain",
      "Content-Length": pieces.reduce((n, p) => n + p.length, 0)
    })
    // Send the head now; node:http would otherwise hold it back until the first body write.
    ex.res.flushHeaders()
    for (const piece of pieces) {
      if (!(await sleep(ms, ex.signal)) || !(await writeChunk(ex, piece))) return
    }
    ex.res.end()
  }),
  route("/fault/huge-headers", ALL, (ex) => {
    const kib = Math.min(Math.max(Number(ex.args.get("kib") ?? "80") || 0, 1), 16 * 1024)
    const headers: Record<string, string> = {}
    // Exactly 1 KiB per header line: "X-Huge-00001: ", the padding, CRLF.
    for (let i = 0; i < kib; i++) headers[`X-Huge-${String(i).padStart(5, "0")}`] = "h".repeat(1024 - 16)
    empty(ex, 200, headers)
  }),
  route("/fault/redirect-loop", ALL, (ex) => {
    empty(ex, 302, { Location: ex.target.startsWith("/") ? ex.target : "/fault/redirect-loop" })
  }),
  route("/fault/redirect-file", ALL, (ex) => {
    empty(ex, 302, { Location: "file:///etc/passwd" })
  })
]
