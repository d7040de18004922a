import type { IncomingMessage, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { dict, type JsonValue } from "./json.js"
import { MultiDict } from "./multidict.js"
import { boundaryOf, MultipartError, parseMultipart } from "./multipart.js"
import { percentDecode, titleCaseHeader } from "./parse.js"
import { BAD_REQUEST_HTML, HttpError } from "./response.js"
import type { NonceStore } from "./digest.js"

/** Per-server state that handlers need. */
export interface ServerScope {
  readonly host: string
  port: number
  readonly nonces: NonceStore
  /** /flaky/:key/:n: requests seen per key since the last reset. */
  readonly flaky: Map<string, number>
}

/** The parts of a request httpbin echoes back (its `get_dict` keys). */
export type EchoKey = "url" | "args" | "form" | "data" | "origin" | "headers" | "files" | "json" | "method"

/**
 * The JSON the echo endpoints send back (/get, /post, /anything, /headers, ...): httpbin's
 * `get_dict`. Each endpoint sends the keys it names in `EchoKey` terms; read the ones it sends.
 */
export interface Echo {
  readonly url: string
  readonly args: Record<string, string | ReadonlyArray<string>>
  readonly form: Record<string, string | ReadonlyArray<string>>
  readonly data: string
  readonly origin: string
  readonly headers: Record<string, string>
  readonly files: Record<string, string | ReadonlyArray<string>>
  readonly json: unknown
  readonly method: string
}

interface ParsedBody {
  readonly form: MultiDict
  readonly files: MultiDict
  readonly data: string
  readonly json: JsonValue
}

// Headers a hosting proxy adds; httpbin hides them from echoes unless ?show_env is given.
const ENV_HEADERS = new Set([
  "X-Varnish",
  "X-Request-Start",
  "X-Heroku-Queue-Depth",
  "X-Real-Ip",
  "X-Forwarded-Proto",
  "X-Forwarded-Protocol",
  "X-Forwarded-Ssl",
  "X-Heroku-Queue-Wait-Time",
  "X-Forwarded-For",
  "X-Heroku-Dynos-In-Use",
  "X-Forwarded-Port",
  "X-Request-Id",
  "Via",
  "Total-Route-Time",
  "Connect-Time"
])

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/**
 * httpbin's `json_safe`: text when the bytes are UTF-8, otherwise an RFC 2397 data: URL,
 * since JSON cannot carry arbitrary bytes.
 */
export const jsonSafe = (bytes: Uint8Array, contentType = "application/octet-stream"): string => {
  try {
    return utf8.decode(bytes)
  } catch {
    return `data:${contentType};base64,${Buffer.from(bytes).toString("base64")}`
  }
}

const parseJson = (text: string | undefined): JsonValue => {
  if (text === undefined || text === "") return null
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return null
  }
}

/** One request/response pair as the handlers see it. */
export class Exchange {
  readonly method: string
  /** The request-target exactly as sent (origin-form path?query, or absolute-form). */
  readonly target: string
  /** The percent-decoded path that routes match against. */
  readonly path: string
  readonly rawQuery: string
  params: ReadonlyArray<string> = []
  body: Buffer = Buffer.alloc(0)
  private argsCache: MultiDict | undefined
  private bodyCache: ParsedBody | undefined

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Aborts when the response closes: the client went away, or the server is closing. */
    readonly signal: AbortSignal,
    readonly server: ServerScope,
    private readonly markServerAbort: () => void
  ) {
    this.method = req.method ?? "GET"
    this.target = req.url ?? "/"
    let pathAndQuery = this.target
    if (!pathAndQuery.startsWith("/")) {
      // absolute-form ("GET http://host/path HTTP/1.1"), as proxies' clients send
      try {
        const parsed = new URL(pathAndQuery)
        pathAndQuery = parsed.pathname + parsed.search
      } catch {
        pathAndQuery = "/" + pathAndQuery
      }
    }
    const q = pathAndQuery.indexOf("?")
    this.rawQuery = q === -1 ? "" : pathAndQuery.slice(q + 1)
    this.path = percentDecode(q === -1 ? pathAndQuery : pathAndQuery.slice(0, q))
  }

  get socket(): Socket {
    return this.req.socket
  }

  get args(): MultiDict {
    return (this.argsCache ??= MultiDict.fromQuery(this.rawQuery))
  }

  /** A request header as one string (repeated headers joined by ","). */
  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()]
    return Array.isArray(value) ? value.join(",") : value
  }

  get contentType(): string {
    return this.header("content-type") ?? ""
  }

  /** The media type without parameters, lower-cased. */
  get mimeType(): string {
    const ct = this.contentType
    const semi = ct.indexOf(";")
    return (semi === -1 ? ct : ct.slice(0, semi)).trim().toLowerCase()
  }

  get scheme(): string {
    const forwarded = this.header("x-forwarded-proto") ?? this.header("x-forwarded-protocol")
    if (forwarded !== undefined) return forwarded
    return this.header("x-forwarded-ssl") === "on" ? "https" : "http"
  }

  /** host[:port] as the client addressed us. */
  get authority(): string {
    const host = this.header("host")
    if (host !== undefined && host !== "") return host
    const h = this.server.host.includes(":") ? `[${this.server.host}]` : this.server.host
    return `${h}:${this.server.port}`
  }

  /** The full URL the client asked for, as httpbin's `url` field reports it. */
  get url(): string {
    if (!this.target.startsWith("/")) {
      try {
        const parsed = new URL(this.target)
        return `${this.scheme}://${parsed.host}${parsed.pathname}${parsed.search}`
      } catch {
        // fall through to the Host-based form
      }
    }
    return `${this.scheme}://${this.authority}${this.target.startsWith("/") ? this.target : "/" + this.target}`
  }

  /** An absolute URL on this server for a path, like Flask's url_for(_external=True). */
  externalUrl(path: string): string {
    return `${this.scheme}://${this.authority}${path}`
  }

  get origin(): string {
    const forwarded = this.header("x-forwarded-for")
    if (forwarded !== undefined) return forwarded
    const address = this.req.socket.remoteAddress ?? ""
    return address.startsWith("::ffff:") ? address.slice(7) : address
  }

  /** Request headers as httpbin reports them: title-cased names, repeats joined with ",". */
  echoHeaders(): Record<string, string> {
    const out = dict<string>()
    const showEnv = this.args.has("show_env")
    const raw = this.req.rawHeaders
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = titleCaseHeader(raw[i]!)
      if (!showEnv && ENV_HEADERS.has(name)) continue
      const existing = out[name]
      out[name] = existing === undefined ? raw[i + 1]! : `${existing},${raw[i + 1]!}`
    }
    return out
  }

  /** The body split into form fields, files, raw data and JSON the way werkzeug does. */
  get parsedBody(): ParsedBody {
    return (this.bodyCache ??= this.parseBody())
  }

  private parseBody(): ParsedBody {
    const form = new MultiDict()
    const files = new MultiDict()
    const mime = this.mimeType
    if (mime === "application/x-www-form-urlencoded") {
      for (const [k, v] of new URLSearchParams(this.body.toString("utf8"))) form.add(k, v)
      return { form, files, data: "", json: null }
    }
    if (mime === "multipart/form-data") {
      const boundary = boundaryOf(this.contentType)
      if (boundary === undefined) throw new HttpError(400, BAD_REQUEST_HTML)
      try {
        for (const part of parseMultipart(this.body, boundary)) {
          if (part.filename === undefined) form.add(part.name, part.data.toString("utf8"))
          else files.add(part.name, jsonSafe(part.data, part.contentType ?? "application/octet-stream"))
        }
      } catch (error) {
        if (error instanceof MultipartError) throw new HttpError(400, BAD_REQUEST_HTML)
        throw error
      }
      return { form, files, data: "", json: null }
    }
    const data = jsonSafe(this.body)
    // httpbin tries json.loads on any body, whatever its Content-Type.
    return { form, files, data, json: parseJson(data) }
  }

  /** httpbin's `get_dict(*keys)`. */
  echo(keys: ReadonlyArray<EchoKey>): Record<string, JsonValue> {
    const out = dict<JsonValue>()
    for (const key of keys) {
      switch (key) {
        case "url":
          out.url = this.url
          break
        case "args":
          out.args = this.args.semiflatten()
          break
        case "headers":
          out.headers = this.echoHeaders()
          break
        case "origin":
          out.origin = this.origin
          break
        case "method":
          out.method = this.method
          break
        case "form":
          out.form = this.parsedBody.form.semiflatten()
          break
        case "files":
          out.files = this.parsedBody.files.semiflatten()
          break
        case "data":
          out.data = this.parsedBody.data
          break
        case "json":
          out.json = this.parsedBody.json
          break
      }
    }
    return out
  }

  /**
   * For fault endpoints: the server is about to break this connection on purpose, so the
   * request log must not report it as closed by the client.
   */
  breakConnection(): Socket {
    this.markServerAbort()
    return this.req.socket
  }
}
