/**
 * @effect/platform both ways.
 *
 * - **Our session under platform code**: `PlatformHttpClient.layer(config)` provides platform's
 *   `HttpClient.HttpClient`, backed by a core `FuturesSession`. Code written against `HttpClient`
 *   (`HttpClient.get(url)`, `client.execute(request)`) gets the executor's bound, the cookie jar,
 *   auth, redirects (followed by the session, with requests' semantics) and retries without a change.
 * - **A platform client under our session**: `PlatformHttpClient.transport` is a core `Transport`
 *   that sends through whatever `HttpClient.HttpClient` is in the context (`FetchHttpClient.layer`,
 *   a test client), so `Session.makeWith(config, transport)` runs every step of ours over it.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const response = yield* HttpClient.get("http://127.0.0.1:8080/cookies/set?a=1")
 *   return yield* response.json
 * }).pipe(Effect.provide(PlatformHttpClient.layer({ maxWorkers: 4 })))
 * ```
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { InvalidOption } from "./Errors.js"
import type { InvalidMaxWorkers } from "./FutureErrors.js"
import type * as FuturesSession from "./FuturesSession.js"
import * as internal from "./internal/platformHttpClient.js"
import type * as Transport from "./Transport.js"

/**
 * Platform's `HttpClient` over a core `FuturesSession`: each `execute` submits the request to the
 * session's executor and waits for its future.
 *
 * - The request's method, URL (with `urlParams`), headers and body (bytes, text, `FormData` as
 *   multipart, a `Stream` collected first) go through the session as they are: its default headers,
 *   cookie jar, auth, hooks and retries apply; it follows redirects (keeping history), so the
 *   platform client does not.
 * - The response's body is read whole, and decoded (gzip, deflate, br), in the worker slot:
 *   `stream` emits it as one chunk, `remoteAddress` is `None`.
 * - Failures are `HttpClientError.RequestError`s whose `cause` is our typed error
 *   (`ConnectionError`, `ReadTimeout`, `TooManyRedirects`, ...; reason `InvalidUrl` for a bad URL,
 *   `Encode` for a bad header or body, `Transport` for the rest, also a cancelled future or a shut
 *   executor). A body that is not JSON, asked for as `json`, is a `ResponseError` ("Decode").
 * - Interrupting the caller cancels the future: a queued request never runs, a running one has its
 *   socket destroyed.
 * - Platform's trace propagation is off for this client (its spans are still made): the session
 *   sends `traceparent`/`b3` headers itself with `tracing: true`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromFuturesSession: (session: FuturesSession.FuturesSession) => HttpClient.HttpClient =
  internal.fromFuturesSession

/**
 * A FuturesSession made with `config` (closed with the scope: queued requests cancelled, running
 * ones interrupted, sockets destroyed), as platform's `HttpClient`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  config?: FuturesSession.FuturesSessionConfig
) => Effect.Effect<HttpClient.HttpClient, InvalidMaxWorkers | InvalidOption, Scope.Scope> = internal.make

/**
 * Provides platform's `HttpClient.HttpClient` backed by a FuturesSession made with `config`, closed
 * with the layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: (
  config?: FuturesSession.FuturesSessionConfig
) => Layer.Layer<HttpClient.HttpClient, InvalidMaxWorkers | InvalidOption> = internal.layer

/**
 * Options of a transport over a platform client.
 *
 * @since 0.2.0
 * @category models
 */
export interface TransportOptions {
  /**
   * Who undoes a compressed body's `Content-Encoding`, as platform clients differ:
   * - `"client"`: the client hands back decoded bodies (fetch: `FetchHttpClient`, browsers, Bun,
   *   Deno). The session's `Accept-Encoding` goes out; `Content-Encoding` and `Content-Length` are
   *   dropped from a decoded response's headers.
   * - `"session"`: the client hands back the bytes as they came (Node's http, undici's `request`).
   *   The session's `Accept-Encoding` goes out and the session decodes (gzip, deflate, br).
   * - unset (default): not known, so no compression is asked for (`Accept-Encoding: identity`):
   *   right with either kind of client, as long as the server honours it.
   */
  readonly contentDecoding?: "client" | "session" | undefined
}

/**
 * A core `Transport` that sends through the `HttpClient.HttpClient` in the context.
 *
 * - The prepared request (method, URL, headers, body bytes) goes as it is (but for
 *   `Accept-Encoding`, see {@link TransportOptions}).
 * - Redirects are not followed by the platform client (fetch is given `redirect: "manual"` through
 *   `FetchHttpClient.RequestInit`, merged over one in the context): our session follows them.
 * - A client that fails on a status (`HttpClient.filterStatusOk`) still yields the response.
 * - Failures become our `SendError`s: a refused or reset connection `ConnectionError`, a TLS failure
 *   `SslError` (from the error code in the cause chain), a bad URL `InvalidUrl`, a body the client
 *   cannot encode `InvalidBody`, a body cut short `ChunkedEncodingError`.
 * - Timeouts are best effort: the platform does not say when the connection was made, so the wait
 *   for the headers is bounded by connect + read timeout (a `ReadTimeout` of phase "headers"; a connect
 *   timeout alone is not enforced), and the read timeout bounds each wait for a body chunk. They run
 *   on the Effect `Clock` (of the caller for `send`, of the runtime the transport was made in for
 *   `start`).
 * - `stream: true` gives `bodyStream`, pulled from the platform response's stream.
 * - `start` runs `send` on a fiber of the runtime the transport was made in; its abort interrupts it.
 * - `stats()` is always zeros: a platform client does not report its connections (and its pool is
 *   its own: a FuturesSession's `maxWorkers` still bounds the requests in flight, not the sockets).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeTransport: (
  options?: TransportOptions
) => Effect.Effect<Transport.Transport, never, HttpClient.HttpClient> = internal.makeTransport

/**
 * `makeTransport()`: compression not negotiated.
 *
 * @since 0.2.0
 * @category constructors
 */
export const transport: Effect.Effect<Transport.Transport, never, HttpClient.HttpClient> = internal.transport

/**
 * The core `Transport.Transport` service, over the `HttpClient.HttpClient` in the context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerTransport: (
  options?: TransportOptions
) => Layer.Layer<Transport.Transport, never, HttpClient.HttpClient> = internal.layerTransport
