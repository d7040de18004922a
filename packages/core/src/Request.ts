/**
 * What a request is made of: the options a user passes, and the prepared request that goes on the
 * wire (requests' `PreparedRequest`).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Auth from "./Auth.js"
import type * as Cookies from "./Cookies.js"
import type { RequestError } from "./Errors.js"
import type { Headers, HeadersInput } from "./Headers.js"
import type * as Response from "./Response.js"
import * as internalUrl from "./internal/url.js"
import type * as Retry from "./Retry.js"

/** A query or form value; `undefined` and `null` are dropped, as requests drops `None`. */
export type ParamValue = string | number | boolean | null | undefined

/** `params`: a record (an array value repeats the key) or a list of pairs. */
export type Params =
  | Readonly<Record<string, ParamValue | ReadonlyArray<ParamValue>>>
  | ReadonlyArray<readonly [string, ParamValue]>

/** Form fields: a record (an array repeats the field) or a list of pairs. */
export type FormFields =
  | Readonly<Record<string, ParamValue | ReadonlyArray<ParamValue>>>
  | ReadonlyArray<readonly [string, ParamValue]>

/**
 * A body read from its source as it is sent, never whole in memory: a web `ReadableStream`, a Node
 * `Readable` (or any async iterable of bytes). It can be sent once only: a request with one is never
 * retried, and a 307/308 that would send it again fails with `UnrewindableBody`.
 */
export type StreamSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>

/**
 * `data`: form fields (url-encoded, or multipart fields next to `files`), a string or bytes sent as is,
 * a `Blob` (or a file from `fs.openAsBlob`: read as it is sent, with its size as `Content-Length`), or
 * a `StreamSource` (sent chunked: its length is unknown, unless a `Content-Length` header gives it).
 */
export type Data = FormFields | string | Uint8Array | Blob | StreamSource

/** The content of one multipart file: a `Blob` is read as it is sent, a `StreamSource` too. */
export type FileContent = Uint8Array | Blob | string | StreamSource

/**
 * How far a body has gone (`onDownloadProgress`, `onUploadProgress`): bytes so far; `total` and
 * `percent` (0 to 100) when the length is known (`Content-Length`).
 */
export interface Progress {
  readonly transferred: number
  readonly total?: number | undefined
  readonly percent?: number | undefined
}

/** A multipart file: bare content (the field name becomes the file name) or described. */
export type FileValue =
  | FileContent
  | {
    readonly filename?: string
    readonly content: FileContent
    readonly contentType?: string
    readonly headers?: HeadersInput
  }

/** `files`: field name → file, or a list of pairs to repeat a field. */
export type Files = Readonly<Record<string, FileValue>> | ReadonlyArray<readonly [string, FileValue]>

/**
 * A timeout in milliseconds for both phases, or separately: `connect` (to establish the
 * connection) and `read` (the longest wait for the next byte: before the headers and between body
 * bytes), as requests' `(connect, read)` tuple. `Infinity` (or anything above 2^31-1 ms, which no
 * timer can hold) means no timeout. This is the checked form a session's defaults hold.
 */
export type Timeout = number | { readonly connect?: number | undefined; readonly read?: number | undefined }

/**
 * The `timeout` option as a user gives it: a `Timeout`, where `null` (the whole timeout, or one of
 * `connect` / `read`) means none, as requests' `None`. A negative number, `NaN`, anything that is not a
 * number, or another key than `connect` and `read` fails with `InvalidOption`.
 */
export type TimeoutInput =
  | number
  | null
  | { readonly connect?: number | null | undefined; readonly read?: number | null | undefined }

/**
 * A response hook: runs after the response is read, in order; a returned response replaces it.
 * It may return an Effect (its failures become the request's failure).
 */
export type ResponseHook = (
  response: Response.Response
) => Response.Response | void | Effect.Effect<Response.Response | void, RequestError>

export interface Hooks {
  readonly response?: ResponseHook | ReadonlyArray<ResponseHook>
}

/** A cookie jar, or name → value pairs (per request: sent, not stored in the session's jar). */
export type CookiesInput = Cookies.CookieJar | Readonly<Record<string, string>>

/** The options of one request, as requests' `Session.request` takes them. */
export interface RequestOptions {
  readonly params?: Params | undefined
  readonly data?: Data | undefined
  readonly json?: unknown
  readonly files?: Files | undefined
  /** Merged over the session's; a name set to `undefined` or `null` removes the session's header. */
  readonly headers?: HeadersInput | undefined
  readonly cookies?: CookiesInput | undefined
  /**
   * Credentials for this request, over the session's; `null` sends none (not even those of the URL).
   * Without either, credentials in the URL (`http://user:pass@host/`) are sent as Basic auth.
   */
  readonly auth?: Auth.Auth | null | undefined
  /** Replaces the session's timeout; `null` or `Infinity`: no timeout for this request. */
  readonly timeout?: TimeoutInput | undefined
  /** Follow redirects (default true; false for HEAD, as in requests). */
  readonly allowRedirects?: boolean | undefined
  readonly hooks?: Hooks | undefined
  /** Leave the body unread until asked (`Response.readBody`, `Response.iterContent`). */
  readonly stream?: boolean | undefined
  /**
   * The most bytes the body may have, as received and once decoded (gzip, deflate, br): past it the
   * request (or the read of a streamed body) fails with `BodyTooLarge` and the socket is closed, so a
   * compression bomb never expands in memory. Overrides the session's. Default: 1 GiB for a body read
   * whole (`Session.defaultMaxBodySize`), none for a streamed body read chunk by chunk (its memory is
   * bounded anyway); `Infinity` or `null`: none.
   */
  readonly maxBodySize?: number | null | undefined
  /**
   * With `stream: true` in a FuturesSession: give the worker slot back as soon as the headers arrive, as
   * Python's requests-futures does, instead of holding it until the body is read, closed or abandoned.
   * Overrides the session's (default `false`).
   */
  readonly releaseSlotAtHeaders?: boolean | undefined
  /**
   * Called as the body arrives, at most every 50 ms and once at its end (`transferred` then is the
   * body's size as received): bytes off the wire, before decoding; `total` from `Content-Length`.
   * Called where the bytes arrive, so it must be quick; a throw fails the request with a `HookError`
   * (its socket closed).
   */
  readonly onDownloadProgress?: ((progress: Progress) => void) | undefined
  /** Called as the request body is sent, at most every 50 ms and once when all of it went. As `onDownloadProgress`. */
  readonly onUploadProgress?: ((progress: Progress) => void) | undefined
  /**
   * Follow a redirect from https to plain http (default true, as requests; the session's setting
   * otherwise). Such a hop never carries credentials or cookies either way; `false` refuses it with
   * `InsecureRedirect`, before anything is sent to the http URL.
   */
  readonly allowDowngrade?: boolean | undefined
  /** Per request, overrides the session's `maxRedirects`; a non-negative integer. */
  readonly maxRedirects?: number | undefined
  /** Retries for this request (number of retries, or a policy); overrides the session's. Default none. */
  readonly retry?: Retry.RetryInput | undefined
  /** A client span per send, and `traceparent`/`b3` headers from it; overrides the session's `tracing`. */
  readonly tracing?: boolean | undefined
  /**
   * Cancels the request when aborted, as `fetch`'s `signal`; the session's `signal` applies too (either
   * aborts it), `null` ignores the session's. An aborted signal fails the request at once, before
   * anything is sent; aborting it later closes the socket. The failure is `RequestCancelled` (for a
   * future: its `CancelledError` with the reason `"signal"`), with the signal's `reason` as `cause`. The
   * listener is removed when the request settles (with `stream`, when its response is returned).
   */
  readonly signal?: AbortSignal | null | undefined
}

/**
 * A full request: method and URL with the options. The method must be an HTTP token (`InvalidOption`
 * otherwise); the URL a string or a `URL` (`InvalidUrl` otherwise).
 */
export interface RequestInit extends RequestOptions {
  readonly method: string
  readonly url: string | URL
}

/**
 * The URL with its password replaced by `***` (`http://user:***@host/`), for messages and logs: a
 * request's own URLs never hold credentials (they become Basic auth and are stripped), but a URL a user
 * passes may. A URL without a password is returned as it is.
 */
export const redactUrl: (url: string | URL) => string = internalUrl.redactUrl

/** The request as sent on the wire (after merging, encoding, cookies and auth). */
export interface PreparedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Headers
  readonly body: Uint8Array | undefined
  /**
   * A body read from its source as it is sent (a stream, a Blob): then `body` is `undefined`, and
   * `Content-Length` is set when the length is known (chunked otherwise). Each call starts a read.
   */
  readonly bodyStream?: (() => AsyncIterable<Uint8Array>) | undefined
  /**
   * `false` when the body can be sent only once (an upload streamed from its source): such a request is
   * never retried, whatever the policy. Absent (every body today: bytes in memory) means it can be sent
   * again.
   */
  readonly replayable?: false | undefined
}

/** Whether `request` can be sent again as it is (retried): it has no body, or one that is not read once. */
export const isReplayable = (request: PreparedRequest): boolean => request.replayable !== false
