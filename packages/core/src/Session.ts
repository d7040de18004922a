/**
 * The Session: requests' `Session` as an Effect service.
 *
 * Session-level defaults (headers, params, auth, cookies, timeout, maxRedirects, hooks, stream) are
 * merged into every request the way requests merges them; the cookie jar persists across requests;
 * the connection pool is shared by every request of the session and closed with its scope.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const session = yield* Session.make({ headers: { "X-Client": "docs" } })
 *   const response = yield* session.get("http://127.0.0.1:8080/get", { params: { q: "x" } })
 *   return yield* Response.json(response)
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Auth from "./Auth.js"
import type * as Cookies from "./Cookies.js"
import type { InvalidOption, RequestError } from "./Errors.js"
import type { Headers, HeadersInput } from "./Headers.js"
import * as decompress from "./internal/decompress.js"
import * as internal from "./internal/session.js"
import * as validate from "./internal/validate.js"
import type { Hooks, Params, RequestInit, RequestOptions, Timeout, TimeoutInput } from "./Request.js"
import type * as Response from "./Response.js"
import type * as Retry from "./Retry.js"
import type * as Task from "./Task.js"
import type * as Transport from "./Transport.js"

/** The defaults a session merges into each of its requests. */
export interface Defaults {
  readonly headers: Headers
  readonly params: Params | undefined
  readonly auth: Auth.Auth | undefined
  /** The checked timeout (`null` is none, kept as `undefined`). */
  readonly timeout: Timeout | undefined
  /** Default 30, as requests. */
  readonly maxRedirects: number
  /** Follow https → http redirects (default true, as requests); see `RequestOptions.allowDowngrade`. */
  readonly allowDowngrade: boolean
  readonly hooks: Hooks | undefined
  readonly stream: boolean
  readonly retry: Retry.RetryInput | undefined
  /** Cancels every request of the session when aborted (with each request's own `signal`). */
  readonly signal: AbortSignal | undefined
  /** The most bytes of a body (`RequestOptions.maxBodySize`); `undefined`: the default, `null`: none. */
  readonly maxBodySize: number | null | undefined
  /** A streamed request gives its worker slot back at the headers (`RequestOptions.releaseSlotAtHeaders`). */
  readonly releaseSlotAtHeaders: boolean
}

export interface SessionConfig extends Transport.TransportConfig {
  /**
   * Merged over the default headers (`User-Agent`, `Accept-Encoding: gzip, deflate, br`,
   * `Accept: *\/*`); a name set to `undefined` or `null` removes a default.
   */
  readonly headers?: HeadersInput | undefined
  readonly params?: Params | undefined
  readonly auth?: Auth.Auth | undefined
  /** The jar (shared, live), or cookies to start one with. */
  readonly cookies?: Cookies.CookieJar | Readonly<Record<string, string>> | undefined
  /** The default timeout of every request; `null`, `Infinity` or absent: none. */
  readonly timeout?: TimeoutInput | undefined
  /** A non-negative integer (default 30, as requests). */
  readonly maxRedirects?: number | undefined
  /**
   * Follow redirects from https to plain http (default true, as requests). Such a hop never carries
   * credentials or cookies; `false` refuses it with `InsecureRedirect`. A request's setting overrides it.
   */
  readonly allowDowngrade?: boolean | undefined
  readonly hooks?: Hooks | undefined
  readonly stream?: boolean | undefined
  /** Retries for every request (none by default, as requests). */
  readonly retry?: Retry.RetryInput | undefined
  /**
   * Every request sent on the wire is an Effect span (kind `client`, OpenTelemetry's HTTP client
   * attributes), child of the span current where the request was made, and its ids are sent in W3C
   * `traceparent` and `b3` headers. Off by default; a request's `tracing` overrides it.
   */
  readonly tracing?: boolean | undefined
  /**
   * Cancels every request of the session when aborted, queued or running (see `RequestOptions.signal`);
   * a request's own `signal` applies as well. The session stays usable: a request made once the signal
   * is aborted fails at once with `RequestCancelled`.
   */
  readonly signal?: AbortSignal | undefined
  /**
   * The most bytes a body may have, as received and once decoded, for every request (see
   * `RequestOptions.maxBodySize`). Default: `defaultMaxBodySize` for a body read whole, none for a body
   * streamed chunk by chunk; `Infinity` or `null`: none.
   */
  readonly maxBodySize?: number | null | undefined
  /**
   * A `stream: true` request of a FuturesSession gives its worker slot back when the headers arrive (as
   * Python's requests-futures), instead of keeping it until its body is read, closed or let go.
   */
  readonly releaseSlotAtHeaders?: boolean | undefined
}

/**
 * The limit on a body read whole when none is given: 1 GiB (decoded). A body of that size still fits in
 * a Node Buffer, and no compression bomb expands past it; a streamed body has no limit by default.
 */
export const defaultMaxBodySize: number = decompress.defaultMaxBodySize

/**
 * What the caller knows of a request's time (a FuturesSession: its queue time), and how it wants the
 * request to wait between two attempts of a retry.
 */
export interface RequestTiming {
  readonly queuedMs: number
  /**
   * Waits `delayMs` between two attempts of a retry, instead of `Retry.sleep` (`Effect.sleep` on the
   * `Clock`): an executor gives one that lets go of the request's worker slot while it waits.
   */
  readonly backoff?: Retry.Backoff | undefined
  /**
   * Keeps the caller's slot (an executor's worker and host slot) past the request's outcome, until the
   * returned function is called: a streamed response calls it and releases it when its body's exchange
   * is over (read, failed, timed out, closed, or its response garbage-collected). Called as a method.
   */
  readonly retainSlot?: (() => () => void) | undefined
}

export type Method = "GET" | "HEAD" | "OPTIONS" | "DELETE" | "POST" | "PUT" | "PATCH"

export interface Session {
  /** The session's cookie jar: read it, write it; every response's cookies land in it. */
  readonly cookies: Cookies.CookieJar
  /** The defaults as they are now. */
  readonly defaults: () => Defaults
  /** Changes the defaults for every later request (requests' `session.headers.update(...)`). */
  readonly updateDefaults: (f: (defaults: Defaults) => Defaults) => void
  readonly transport: Transport.Transport
  readonly request: (init: RequestInit, timing?: RequestTiming) => Effect.Effect<Response.Response, RequestError>
  /**
   * The request as a `Task`: what `request` runs, for running it without a fiber (an `Executor` does,
   * and so does the Promise facade). Nothing happens until it is started.
   */
  readonly task: (init: RequestInit, timing?: RequestTiming) => Task.Task<Response.Response, RequestError>
  readonly get: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
  readonly head: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
  readonly options: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
  readonly delete: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
  readonly post: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
  readonly put: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
  readonly patch: (url: string | URL, options?: RequestOptions) => Effect.Effect<Response.Response, RequestError>
}

/** The session service. */
export const Session: Context.Tag<Session, Session> = internal.SessionTag

/** The headers every session starts with, as requests sends them. */
export const defaultHeaders: Headers = internal.defaultHeaders

/**
 * A session with its own connection pool, closed with the scope. A setting that cannot be used (a
 * negative timeout, a `maxRedirects` of 1.5, a `params` value that is an object) fails it with
 * `InvalidOption`, before anything is opened.
 */
export const make: (config?: SessionConfig) => Effect.Effect<Session, InvalidOption, Scope.Scope> = internal.make

/**
 * A session over a given transport (to share one pool between sessions). The config is not checked
 * here (see `checkConfig`): a session with a setting that cannot be used fails each of its requests
 * with `InvalidOption`.
 */
export const makeWith: (config: SessionConfig, transport: Transport.Transport) => Session = internal.makeWith

/**
 * Checks a session's settings as `make` does: the config with its timeout in checked form (`null`
 * parts dropped), or the `InvalidOption` that names the setting. For changing `defaults` with
 * `updateDefaults` (which takes checked values) as `make` would.
 */
export const checkConfig: <C extends SessionConfig>(
  config: C
) => Either.Either<validate.CheckedConfig<C>, InvalidOption> = validate.checkConfig

/** The session as a layer. */
export const layer = (config?: SessionConfig): Layer.Layer<Session, InvalidOption> =>
  Layer.scoped(Session, make(config))

/** Sends a request with the session in context. */
export const request: (init: RequestInit) => Effect.Effect<Response.Response, RequestError, Session> =
  internal.accessor((session, init: RequestInit) => session.request(init))

const method = (m: Method) =>
  internal.accessor((session, url: string | URL, options?: RequestOptions) =>
    session.request({ ...options, method: m, url })
  )

export const get = method("GET")
export const head = method("HEAD")
export const options = method("OPTIONS")
const del = method("DELETE")
export { del as delete }
export const post = method("POST")
export const put = method("PUT")
export const patch = method("PATCH")
