import { randomUUID } from "node:crypto"
import { dict, prettyJson, type JsonValue } from "../json.js"
import type { Exchange } from "../request.js"
import { badRequest, JSON_TYPE, send, sendJson, statusResponse } from "../response.js"
import { get, route, type Route } from "../router.js"

/** Response inspection: /cache, /cache/:n, /etag/:etag, /response-headers. */

const getEcho = (ex: Exchange) => ex.echo(["url", "args", "headers", "origin"])

/** httpbin's parse_multi_value_header: entity tags without quotes or W/. */
const entityTags = (header: string | undefined): ReadonlyArray<string> =>
  header === undefined || header === ""
    ? []
    : header.split(",").map((part) => /\s*(?:W\/)?"?([^"]*)"?\s*/.exec(part)?.[1] ?? "")

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// These would break the framing of the response itself; /fault/* covers broken framing.
const FORBIDDEN = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"])

/**
 * Query parameters become response headers, and the body lists every header of the response,
 * itself included: httpbin recomputes it until Content-Length stops changing.
 */
const responseHeaders = (ex: Exchange) => {
  const grouped = new Map<string, Array<string>>([["Content-Type", [JSON_TYPE]]])
  for (const [name, value] of ex.args.all()) {
    if (!TOKEN.test(name) || FORBIDDEN.has(name.toLowerCase()) || /[^\t\x20-\x7e\x80-\xff]/.test(value)) {
      throw badRequest(`cannot send header ${JSON.stringify(name)}`)
    }
    // A Content-Type parameter is added next to httpbin's own, as werkzeug's headers.add() does.
    const key = name.toLowerCase() === "content-type" ? "Content-Type" : name
    const values = grouped.get(key)
    if (values === undefined) grouped.set(key, [value])
    else values.push(value)
  }
  let body = ""
  for (let attempt = 0; attempt < 10; attempt++) {
    const listed = dict<JsonValue>()
    listed["Content-Length"] = String(Buffer.byteLength(body))
    for (const [name, values] of grouped) listed[name] = values.length === 1 ? values[0]! : values
    const next = prettyJson(listed)
    if (next === body) break
    body = next
  }
  send(ex, 200, body, undefined, Object.fromEntries(grouped))
}

export const cachingRoutes: ReadonlyArray<Route> = [
  get("/cache", (ex) => {
    if (ex.header("if-modified-since") !== undefined || ex.header("if-none-match") !== undefined) {
      return statusResponse(ex, 304)
    }
    sendJson(ex, getEcho(ex), 200, {
      "Last-Modified": new Date().toUTCString(),
      ETag: randomUUID().replace(/-/g, "")
    })
  }),
  get("/cache/<int:value>", (ex) =>
    sendJson(ex, getEcho(ex), 200, { "Cache-Control": `public, max-age=${Number(ex.params[0])}` })
  ),
  get("/etag/<etag>", (ex) => {
    const etag = ex.params[0] ?? ""
    if (/[^\x21-\x7e]/.test(etag)) throw badRequest("the etag must be printable ASCII")
    const ifNoneMatch = entityTags(ex.header("if-none-match"))
    const ifMatch = entityTags(ex.header("if-match"))
    if (ifNoneMatch.length > 0) {
      if (ifNoneMatch.includes(etag) || ifNoneMatch.includes("*")) return send(ex, 304, "", undefined, { ETag: etag })
    } else if (ifMatch.length > 0 && !ifMatch.includes(etag) && !ifMatch.includes("*")) {
      return statusResponse(ex, 412)
    }
    sendJson(ex, getEcho(ex), 200, { ETag: etag })
  }),
  route("/response-headers", ["GET", "POST"], responseHeaders)
]
