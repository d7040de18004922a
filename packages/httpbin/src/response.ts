import type { OutgoingHttpHeaders } from "node:http"
import { compactPythonJson, prettyJson, type JsonValue } from "./json.js"
import type { Exchange } from "./request.js"
import { ACCEPTED_IMAGE_TYPES, TEAPOT_ASCII } from "./content.js"

/** Thrown by handlers and helpers to answer with a given response instead of a 500. */
export class HttpError extends Error {
  override readonly name = "HttpError"
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string = HTML,
    readonly headers: OutgoingHttpHeaders = {}
  ) {
    super(`HTTP ${status}`)
  }
}

export const HTML = "text/html; charset=utf-8"
export const JSON_TYPE = "application/json"
export const OCTET_STREAM = "application/octet-stream"

/** werkzeug's default error page, which httpbin (Flask) sends for 4xx/5xx routing errors. */
export const errorPage = (status: number, title: string, description: string): string =>
  `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${description}</p>\n`

export const NOT_FOUND_HTML = errorPage(
  404,
  "Not Found",
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
)
export const METHOD_NOT_ALLOWED_HTML = errorPage(405, "Method Not Allowed", "The method is not allowed for the requested URL.")
export const BAD_REQUEST_HTML = errorPage(
  400,
  "Bad Request",
  "The browser (or proxy) sent a request that this server could not understand."
)
export const INTERNAL_ERROR_HTML = errorPage(
  500,
  "Internal Server Error",
  "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."
)

/**
 * Where httpbin would crash with a 500 on bad input (float("x"), int("x"), a missing query
 * parameter), this server answers 400 with a JSON error instead; see the README.
 */
export const badRequest = (message: string): HttpError =>
  new HttpError(400, prettyJson({ error: message }), JSON_TYPE)

/**
 * The headers that describe a body, which werkzeug removes from a 304 (`remove_entity_headers`, keeping
 * Expires and Content-Location): a 304 has no body, and its cached one is described by the cache.
 */
const entityHeaders: ReadonlySet<string> = new Set([
  "allow",
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-range",
  "content-type",
  "last-modified"
])

/**
 * Sends a complete response with Content-Length, so keep-alive connections can be reused. A 304 goes
 * out as httpbin's does: no body and no entity headers (no Content-Type).
 */
export const send = (
  ex: Exchange,
  status: number,
  body: string | Buffer,
  contentType: string | undefined,
  headers: OutgoingHttpHeaders = {}
): void => {
  const res = ex.res
  if (ex.signal.aborted || res.headersSent) return
  const notModified = status === 304
  const payload = notModified ? Buffer.alloc(0) : typeof body === "string" ? Buffer.from(body, "utf8") : body
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !(notModified && entityHeaders.has(name.toLowerCase()))) res.setHeader(name, value)
  }
  if (notModified) {
    for (const name of res.getHeaderNames()) if (entityHeaders.has(name)) res.removeHeader(name)
  } else if (contentType !== undefined && !res.hasHeader("content-type")) {
    res.setHeader("Content-Type", contentType)
  }
  // RFC 9110: no Content-Length on 1xx and 204; on a 304 it would describe the cached body.
  if (status >= 200 && status !== 204 && !notModified) res.setHeader("Content-Length", payload.length)
  res.writeHead(status)
  res.end(payload)
}

export const sendJson = (ex: Exchange, value: JsonValue, status = 200, headers: OutgoingHttpHeaders = {}): void =>
  send(ex, status, prettyJson(value), JSON_TYPE, headers)

export const sendHtml = (ex: Exchange, html: string, status = 200, headers: OutgoingHttpHeaders = {}): void =>
  send(ex, status, html, HTML, headers)

export const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;")

/**
 * Header values must be Latin-1 without control characters; a Location built from user input
 * is percent-encoded (as UTF-8) where it would otherwise be refused by node:http.
 */
export const safeHeaderValue = (text: string): string =>
  text.replace(/[^\x21-\x7e]/gu, (ch) => (ch === " " ? "%20" : encodeURIComponent(ch)))

/** Flask's redirect(): a small HTML page with the Location. */
export const redirect = (ex: Exchange, location: string, status = 302, headers: OutgoingHttpHeaders = {}): void => {
  const target = safeHeaderValue(location)
  const escaped = escapeHtml(target)
  const html =
    `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n` +
    `<p>You should be redirected automatically to the target URL: <a href="${escaped}">${escaped}</a>. If not, click the link.\n`
  sendHtml(ex, html, status, { ...headers, Location: target })
}

/** A bare response (Flask's `make_response("")`): empty HTML body. */
export const empty = (ex: Exchange, status: number, headers: OutgoingHttpHeaders = {}): void =>
  send(ex, status, "", HTML, headers)

/**
 * httpbin's `status_code()` helper, shared by /status, the auth endpoints, /cache and /etag.
 * For the codes it special-cases it replaces the headers, which drops Content-Type. `extra` headers
 * go out with any code (/status's `Retry-After`).
 */
export const statusResponse = (ex: Exchange, code: number, extra: OutgoingHttpHeaders = {}): void => {
  switch (code) {
    case 301:
    case 302:
    case 303:
    case 305:
    case 307:
      return send(ex, code, "", undefined, { ...extra, Location: "/redirect/1" })
    case 304:
      return send(ex, code, "", undefined, extra)
    case 401:
      return send(ex, code, "", undefined, { ...extra, "WWW-Authenticate": 'Basic realm="Fake Realm"' })
    case 402:
      return send(ex, code, "Fuck you, pay me!", undefined, { ...extra, "x-more-info": "http://vimeo.com/22053820" })
    case 406:
      return send(
        ex,
        code,
        compactPythonJson({ message: "Client did not request a supported media type.", accept: ACCEPTED_IMAGE_TYPES }),
        JSON_TYPE,
        extra
      )
    case 407:
      return send(ex, code, "", undefined, { ...extra, "Proxy-Authenticate": 'Basic realm="Fake Realm"' })
    case 418:
      return send(ex, code, TEAPOT_ASCII, undefined, { ...extra, "x-more-info": "http://tools.ietf.org/html/rfc2324" })
    default:
      if (code < 200) {
        // A 1xx is only ever an interim response to clients; closing the connection after it
        // makes them fail fast instead of waiting forever for a final response.
        ex.res.shouldKeepAlive = false
        return send(ex, code, "", undefined, { ...extra, Connection: "close" })
      }
      return send(ex, code, "", HTML, extra)
  }
}
