/**
 * The failures a request can have, mirroring requests' exception tree as tagged data.
 *
 * Every error carries the `method` and `url` of the request that failed and, where there is one,
 * the underlying `cause`. `RequestError` is the union of all of them: `Effect.catchTags` narrows it.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Response from "./Response.js"
import type { RetryAttempt } from "./Retry.js"

/** What every request error says about the request that failed. */
export interface RequestInfo {
  readonly method: string
  readonly url: string
  readonly cause?: unknown
}

const describeCause = (cause: unknown): string => {
  if (cause === undefined) return ""
  if (cause instanceof Error) {
    const code = (cause as { readonly code?: unknown }).code
    const prefix = typeof code === "string" && !cause.message.includes(code) ? `${code} ` : ""
    return `: ${prefix}${cause.message}`
  }
  return `: ${String(cause)}`
}

const where = (self: RequestInfo): string => `${self.method} ${self.url}`

/** The connection could not be made or was lost (refused, reset, DNS failure, closed early). */
export class ConnectionError extends Data.TaggedError("ConnectionError")<RequestInfo> {
  override get message(): string {
    return `${where(this)}: connection failed${describeCause(this.cause)}`
  }
}

/** No connection was established within the connect timeout. Safe to retry: nothing was sent. */
export class ConnectTimeout extends Data.TaggedError("ConnectTimeout")<RequestInfo & { readonly timeoutMs: number }> {
  override get message(): string {
    return `${where(this)}: no connection within ${this.timeoutMs} ms`
  }
}

/** The server sent no byte for longer than the read timeout (before the headers or between body bytes). */
export class ReadTimeout extends Data.TaggedError("ReadTimeout")<
  RequestInfo & { readonly timeoutMs: number; readonly phase: "headers" | "body" }
> {
  override get message(): string {
    return `${where(this)}: no byte of the ${this.phase} for ${this.timeoutMs} ms`
  }
}

/**
 * The request's `deadline` passed before it was done: it covers the time queued, every attempt, the
 * backoff between them and the body. Whatever was in flight was stopped (its socket closed).
 */
export class DeadlineExceeded extends Data.TaggedError("DeadlineExceeded")<
  RequestInfo & { readonly deadlineMs: number; readonly phase: "queued" | "running" | "backoff" }
> {
  override get message(): string {
    const where_ = this.phase === "queued" ? "still queued" : this.phase === "backoff" ? "backing off" : "in flight"
    return `${where(this)}: not done within its deadline of ${this.deadlineMs} ms (${where_})`
  }
}

/**
 * More redirects than `maxRedirects`; `history` holds the responses that were followed, `response`
 * the last of them (the redirect that was not followed, requests' `e.response`).
 */
export class TooManyRedirects extends Data.TaggedError("TooManyRedirects")<
  RequestInfo & {
    readonly maxRedirects: number
    readonly history: ReadonlyArray<Response.Response>
    readonly response: Response.Response
  }
> {
  override get message(): string {
    return `${where(this)}: exceeded ${this.maxRedirects} redirects (last: ${
      this.response.headers.get("location") ?? "?"
    })`
  }
}

/**
 * A redirect from https to plain http was refused, as the request (or its session) set
 * `allowDowngrade: false`. `url` is the https URL that redirected, `location` where it pointed
 * (password redacted), `response` the redirect. Nothing was sent to the http URL.
 */
export class InsecureRedirect extends Data.TaggedError("InsecureRedirect")<
  RequestInfo & { readonly location: string; readonly response: Response.Response }
> {
  override get message(): string {
    return `${where(this)}: refused the redirect to ${this.location}: it leaves https for plain http (allowDowngrade is false)`
  }
}

/** The URL has a scheme and host but cannot be parsed or has no host (`http://`). */
export class InvalidUrl extends Data.TaggedError("InvalidUrl")<RequestInfo & { readonly reason: string }> {
  override get message(): string {
    return `Invalid URL ${JSON.stringify(this.url)}: ${this.reason}`
  }
}

/** The URL has no scheme: requests' "Invalid URL 'x': No scheme supplied. Perhaps you meant https://x?" */
export class MissingSchema extends Data.TaggedError("MissingSchema")<RequestInfo> {
  override get message(): string {
    return `Invalid URL ${JSON.stringify(this.url)}: no scheme supplied. Perhaps you meant https://${this.url}?`
  }
}

/** The URL (or a redirect's Location) has a scheme other than http or https. */
export class InvalidSchema extends Data.TaggedError("InvalidSchema")<RequestInfo & { readonly scheme: string }> {
  override get message(): string {
    return `${where(this)}: no connection adapter for scheme ${JSON.stringify(this.scheme)} (only http and https)`
  }
}

/** A header name or value is not valid HTTP (CR, LF, NUL or other forbidden characters). Nothing was sent. */
export class InvalidHeader extends Data.TaggedError("InvalidHeader")<
  RequestInfo & { readonly header: string; readonly reason: string }
> {
  override get message(): string {
    return `${where(this)}: invalid header ${JSON.stringify(this.header)}: ${this.reason}`
  }
}

/** `raiseForStatus` on a 4xx or 5xx response. */
export class HttpError extends Data.TaggedError("HttpError")<RequestInfo & { readonly response: Response.Response }> {
  override get message(): string {
    const kind = this.response.statusCode >= 500 ? "Server Error" : "Client Error"
    return `${this.response.statusCode} ${kind}: ${this.response.reason} for url: ${this.response.url}`
  }
}

/** The body is not valid JSON. */
export class JsonDecodeError extends Data.TaggedError("JsonDecodeError")<
  RequestInfo & { readonly response: Response.Response }
> {
  override get message(): string {
    return `${where(this)}: response body is not valid JSON${describeCause(this.cause)}`
  }
}

/** The body did not match the expected schema. */
export class SchemaDecodeError extends Data.TaggedError("SchemaDecodeError")<
  RequestInfo & { readonly response: Response.Response }
> {
  override get message(): string {
    return `${where(this)}: response body does not match the schema${describeCause(this.cause)}`
  }
}

/** The server said gzip/deflate/br but the body does not decode. */
export class ContentDecodingError extends Data.TaggedError("ContentDecodingError")<
  RequestInfo & { readonly encoding: string }
> {
  override get message(): string {
    return `${where(this)}: body is not valid ${this.encoding}${describeCause(this.cause)}`
  }
}

/** The body ended before it was complete (a chunked body cut off, fewer bytes than Content-Length). */
export class ChunkedEncodingError extends Data.TaggedError("ChunkedEncodingError")<RequestInfo> {
  override get message(): string {
    return `${where(this)}: connection closed before the body was complete${describeCause(this.cause)}`
  }
}

/** TLS failed: certificate not trusted, wrong host name, handshake error. */
export class SslError extends Data.TaggedError("SslError")<RequestInfo> {
  override get message(): string {
    return `${where(this)}: TLS failed${describeCause(this.cause)}`
  }
}

/** The proxy refused or could not reach the target. */
export class ProxyError extends Data.TaggedError("ProxyError")<RequestInfo & { readonly proxy: string }> {
  override get message(): string {
    return `${where(this)}: proxy ${this.proxy} failed${describeCause(this.cause)}`
  }
}

/** A user-supplied hook, auth function or background callback threw. */
export class HookError extends Data.TaggedError("HookError")<RequestInfo & { readonly hook: string }> {
  override get message(): string {
    return `${where(this)}: the ${this.hook} threw${describeCause(this.cause)}`
  }
}

/**
 * The request's `background` work failed in its worker thread: the function threw or rejected, its
 * module could not be loaded, the export is not there (or not a function / a `Schema`), or its result
 * could not be sent back (a value that cannot be structured-cloned). `work` names it.
 */
export class BackgroundError extends Data.TaggedError("BackgroundError")<RequestInfo & { readonly work: string }> {
  override get message(): string {
    return `${where(this)}: the background work ${this.work} failed${describeCause(this.cause)}`
  }
}

/**
 * The worker thread running the request's `background` work died (`process.exit`, out of memory, an
 * uncaught error outside the work): only this request fails; the pool replaces the thread.
 */
export class WorkerCrashed extends Data.TaggedError("WorkerCrashed")<RequestInfo & { readonly work: string }> {
  override get message(): string {
    return `${where(this)}: the worker thread running ${this.work} died${describeCause(this.cause)}`
  }
}

/** A request body could not be encoded (a value that is not JSON, a file that cannot be read). */
export class InvalidBody extends Data.TaggedError("InvalidBody")<RequestInfo & { readonly reason: string }> {
  override get message(): string {
    return `${where(this)}: cannot encode the body: ${this.reason}${describeCause(this.cause)}`
  }
}

/**
 * The body passed `maxBodySize` bytes, as it came off the wire or once decoded (gzip, deflate, br): the
 * read stopped there (its socket was closed) and the rest was never held in memory. `limit` is the limit
 * that was passed; `size` what was seen when it stopped (at least `limit + 1`, or the `Content-Length`
 * announced).
 */
export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<
  RequestInfo & { readonly limit: number; readonly size: number }
> {
  override get message(): string {
    return `${where(this)}: the body is larger than maxBodySize (${this.limit} bytes; ${this.size} seen)`
  }
}

/**
 * A redirect (307 or 308 to the same origin) would send the body again, but the body was streamed
 * from its source and can be sent once only (requests' `UnrewindableBodyError`). Nothing was sent for
 * the redirect; `location` is where it pointed.
 */
export class UnrewindableBody extends Data.TaggedError("UnrewindableBody")<
  RequestInfo & { readonly status: number; readonly location: string }
> {
  override get message(): string {
    return `${where(this)}: a ${this.status} to ${this.location} would send the body again, but it was streamed and can be sent once only`
  }
}

/**
 * Retries were exhausted on a status. `attempts` holds every attempt, the last one included (its
 * `waitedMs` is 0); `last` is the error of the last attempt, `response` its response (requests'
 * `e.response`). Never a cancellation: that stops the retries.
 */
export class RetryError extends Data.TaggedError("RetryError")<
  RequestInfo & {
    readonly attempts: ReadonlyArray<RetryAttempt>
    readonly last: Exclude<RequestError, RequestCancelled>
    readonly response: Response.Response
  }
> {
  override get message(): string {
    const outcomes = this.attempts.map((attempt) => attempt.status ?? attempt.error ?? "?").join(", ")
    return `${where(this)}: gave up after ${this.attempts.length} attempts (${outcomes})`
  }
}

/**
 * The request was cancelled by its `AbortSignal` (the request's `signal`, or its session's): nothing was
 * sent when the signal was aborted already (`wasRunning: false`), else its socket was closed. `cause` is
 * the signal's `reason`. A typed failure rather than an interruption, so that `Effect.catchTag` sees it
 * and the reason is kept: the signal is a cancellation from outside Effect that the caller asked for.
 */
export class RequestCancelled extends Data.TaggedError("RequestCancelled")<
  RequestInfo & { readonly wasRunning: boolean }
> {
  override get message(): string {
    return `${where(this)}: cancelled by its AbortSignal ${
      this.wasRunning ? "while running (its socket was closed)" : "before it was sent"
    }${describeCause(this.cause)}`
  }
}

/**
 * An option has a value that cannot be used: a negative or NaN timeout, a `maxRedirects` that is not a
 * non-negative integer, a method that is not an HTTP token, a `params` value that is an object. requests
 * raises `ValueError` (or worse, sends it); here nothing is sent. A request's option carries the request's
 * `method` and `url`; a session's setting, checked when the session is made, has neither.
 */
export class InvalidOption extends Data.TaggedError("InvalidOption")<{
  /** The option's name as it was given: `"timeout"`, `"timeout.connect"`, `"maxRedirects"`, `"params.q"`... */
  readonly option: string
  /** The value that was refused, as it was given. */
  readonly value: unknown
  /** What a valid value is. */
  readonly reason: string
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly cause?: unknown
}> {
  override get message(): string {
    const what = `invalid ${this.option} ${describeValue(this.value)}: ${this.reason}`
    if (this.url === undefined) return `Session option: ${what}`
    return this.method === undefined ? `${this.url}: ${what}` : `${this.method} ${this.url}: ${what}`
  }
}

/** A short, printable account of a refused value (never a whole object). */
const describeValue = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value)
    case "function":
      return "(a function)"
    case "symbol":
      return value.toString()
    default:
      if (value === null) return "null"
      if (Array.isArray(value)) return `(an array of ${value.length})`
      {
        const kind = (Object.getPrototypeOf(value) as { readonly constructor?: { readonly name?: string } } | null)
          ?.constructor?.name
        return kind === undefined || kind === "Object" ? "(an object)" : `(a ${kind})`
      }
  }
}

/** Any way a request can fail. */
export type RequestError =
  | ConnectionError
  | ConnectTimeout
  | ReadTimeout
  | TooManyRedirects
  | InsecureRedirect
  | InvalidUrl
  | MissingSchema
  | InvalidSchema
  | InvalidHeader
  | HttpError
  | JsonDecodeError
  | SchemaDecodeError
  | ContentDecodingError
  | ChunkedEncodingError
  | SslError
  | ProxyError
  | HookError
  | InvalidBody
  | RetryError
  | InvalidOption
  | DeadlineExceeded
  | RequestCancelled
  | BodyTooLarge
  | UnrewindableBody
  | BackgroundError
  | WorkerCrashed

/** The failures of sending a request and reading its response (no status check, no body decoding). */
export type SendError = Exclude<
  RequestError,
  | HttpError
  | JsonDecodeError
  | SchemaDecodeError
  | RetryError
  | InvalidOption
  | DeadlineExceeded
  | RequestCancelled
  | BackgroundError
  | WorkerCrashed
>

/** Timeouts, as `Effect.catchTag` cannot name a union: requests' `Timeout` base class. */
export type Timeout = ConnectTimeout | ReadTimeout | DeadlineExceeded

const tags: ReadonlySet<string> = new Set([
  "ConnectionError",
  "ConnectTimeout",
  "ReadTimeout",
  "TooManyRedirects",
  "InsecureRedirect",
  "InvalidUrl",
  "MissingSchema",
  "InvalidSchema",
  "InvalidHeader",
  "HttpError",
  "JsonDecodeError",
  "SchemaDecodeError",
  "ContentDecodingError",
  "ChunkedEncodingError",
  "SslError",
  "ProxyError",
  "HookError",
  "InvalidBody",
  "RetryError",
  "InvalidOption",
  "DeadlineExceeded",
  "RequestCancelled",
  "BodyTooLarge",
  "UnrewindableBody",
  "BackgroundError",
  "WorkerCrashed"
])

/** Whether `u` is one of the request errors above. */
export const isRequestError = (u: unknown): u is RequestError =>
  typeof u === "object" && u !== null && tags.has((u as { readonly _tag?: unknown })._tag as string)
