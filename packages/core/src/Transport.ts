/**
 * The transport: sends one prepared request over undici and returns the raw response.
 *
 * This is the bottom of the data path. It knows nothing of redirects, cookies, auth or content
 * encodings (those are steps around it); it maps every undici failure to a typed error and aborts
 * the socket when its fiber is interrupted.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Context from "effect/Context"
import type { ChunkedEncodingError, SendError } from "./Errors.js"
import type { Headers } from "./Headers.js"
import * as internal from "./internal/transport.js"
import type { PreparedRequest, Progress } from "./Request.js"

/** A response as it came off the wire: body bytes not yet decoded (gzip etc. is a later step). */
export interface RawResponse {
  readonly statusCode: number
  /** The reason phrase the server sent (`OK`, `Not Found`). */
  readonly reason: string
  readonly headers: Headers
  /** The whole body (empty when `stream` was asked: read `bodyStream` instead). */
  readonly body: Uint8Array
  /** With `stream: true`: the body, chunk by chunk, read as it is pulled. */
  readonly bodyStream: Stream.Stream<Uint8Array, ChunkedEncodingError | SendError> | undefined
  /**
   * With `stream: true`: calls `f` once the body's exchange is over in any way (read to its end on the
   * wire, failed, timed out, aborted), at once if it is over already: when its connection is free.
   * Absent when the transport cannot tell (the session then counts the stream's end).
   */
  readonly onBodyEnd?: ((f: () => void) => void) | undefined
  /** ms from the start of the send to the end of the headers. */
  readonly elapsed: number
  /** ms from the start of the send to the end of the body (equal to `elapsed` while streaming). */
  readonly total: number
}

/** Per-request transport settings. */
export interface SendOptions {
  /** ms to get a connection (pooled or new); `undefined` waits as long as the OS does. */
  readonly connectTimeout?: number | undefined
  /** ms for the longest wait for a byte: before the headers and between body bytes. */
  readonly readTimeout?: number | undefined
  /** Leave the body to be pulled through `bodyStream`. */
  readonly stream?: boolean | undefined
  /**
   * The most body bytes to take off the wire (before any decoding): past it (or a `Content-Length` above
   * it) the exchange fails with `BodyTooLarge` and its socket is closed. `undefined`: no limit.
   */
  readonly maxBodySize?: number | undefined
  /** Called as the body comes in (bytes off the wire), throttled; see `Request.RequestOptions`. */
  readonly onDownloadProgress?: ((progress: Progress) => void) | undefined
  /** Called as the request body goes out, throttled. */
  readonly onUploadProgress?: ((progress: Progress) => void) | undefined
}

/** TLS verification: on (default), off, or a custom CA bundle (PEM). */
export type Verify = boolean | { readonly ca: string | Uint8Array | ReadonlyArray<string | Uint8Array> }

/** A client certificate (PEM) for mutual TLS. */
export interface ClientCert {
  readonly cert: string | Uint8Array
  readonly key: string | Uint8Array
  readonly passphrase?: string
}

/** Proxy URLs by scheme, as requests' `proxies` (`{ http: "http://proxy:3128", https: ... }`). */
export interface Proxies {
  readonly http?: string | undefined
  readonly https?: string | undefined
  /** Comma-separated hosts that bypass the proxy (as NO_PROXY). */
  readonly noProxy?: string | undefined
}

export interface TransportConfig {
  /**
   * The most connections kept to one origin. A FuturesSession sets it to `maxWorkers`, so the
   * server never sees more connections than there are workers. Default 16.
   */
  readonly connections?: number | undefined
  readonly verify?: Verify | undefined
  readonly cert?: ClientCert | undefined
  readonly proxies?: Proxies | undefined
  /** Read HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment (default true, as requests). */
  readonly trustEnv?: boolean | undefined
  /** ms an idle pooled connection is kept (default 4000, below common server keep-alive timeouts). */
  readonly keepAliveTimeout?: number | undefined
}

export interface Transport {
  readonly send: (request: PreparedRequest, options: SendOptions) => Effect.Effect<RawResponse, SendError>
  /**
   * `send` without a fiber: `resume` is called once with the outcome; the returned function aborts
   * the exchange (its socket is destroyed and `resume` is not called if it was not yet). What `send` runs inside
   * its `Effect.async`, for the fast path of a `Task`.
   */
  readonly start: (
    request: PreparedRequest,
    options: SendOptions,
    resume: (exit: Exit.Exit<RawResponse, SendError>) => void
  ) => () => void
  /** Connections this transport opened, for tests and benchmarks. */
  readonly stats: () => { readonly connected: number; readonly disconnected: number }
}

/** The transport service a Session sends with. */
export const Transport: Context.Tag<Transport, Transport> = internal.TransportTag

/** An undici transport with its own connection pool, closed (sockets destroyed) with the scope. */
export const make: (config?: TransportConfig) => Effect.Effect<Transport, never, Scope.Scope> = internal.make

/** The transport as a layer. */
export const layer = (config?: TransportConfig): Layer.Layer<Transport> => Layer.scoped(Transport, make(config))
