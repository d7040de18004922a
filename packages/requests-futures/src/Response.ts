import {
  type Cookies,
  Errors as CoreErrors,
  type Headers as CoreHeaders,
  type Request as CoreRequest,
  Response as CoreResponse
} from "@requests-futures/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { coreOf } from "./internal/core.js"
import { fromCoreRequestError, keeping } from "./internal/errors.js"
import { runPromise, runSync } from "./internal/run.js"
import type { RetryAttempt } from "./types/options.js"

/** Case-insensitive, read-only HTTP headers: `get(name)`, `getAll(name)`, `has(name)`, `toRecord()`, iteration. */
export type Headers = CoreHeaders.Headers

/** The request as it was sent: method, URL, headers (with cookies and auth) and body. */
export type PreparedRequest = CoreRequest.PreparedRequest

/** A cookie a response set, as stored in the session's jar. */
export type CookieInfo = Cookies.CookieInfo

/** Where the time of a request went, in milliseconds: `queued` (0 for a plain `Session`), `elapsed`, `total`. */
export type Timings = CoreResponse.Timings

const facades = new WeakMap<CoreResponse.Response, Response>()

/**
 * @internal The one facade `Response` of a core response: hooks, the background callback and the
 * future all see the same object (what a callback leaves in `data` is there in the result).
 */
export const responseOf = (core: CoreResponse.Response): Response => {
  let response = facades.get(core)
  if (response === undefined) facades.set(core, response = new Response(core))
  return response
}

/**
 * A response (requests' `Response`): status, headers and the whole body, already read and decoded
 * (gzip, deflate, br) unless the request asked to `stream`.
 *
 * @example
 * ```ts
 * const response = await session.get("https://httpbin.org/json")
 * response.raiseForStatus()
 * console.log(response.statusCode, response.headers.get("content-type"), response.json())
 * ```
 */
export class Response {
  /** @internal */
  readonly [coreOf]: CoreResponse.Response
  /**
   * What the request's `background` work made of the body in a worker thread (`undefined` without it),
   * and a slot of your own, for the background callback to leave what it computed:
   * `backgroundCallback: (session, response) => { response.data = response.json() }`.
   */
  data: unknown
  #history: ReadonlyArray<Response> | undefined

  /** @internal */
  constructor(response: CoreResponse.Response) {
    this[coreOf] = response
    this.data = response.data
  }

  /** The status code: 200, 404... */
  get statusCode(): number {
    return this[coreOf].statusCode
  }

  /** The reason phrase the server sent: "OK", "Not Found"... */
  get reason(): string {
    return this[coreOf].reason
  }

  /** `true` when the status is below 400, as requests' `ok`. */
  get ok(): boolean {
    return this[coreOf].ok
  }

  get headers(): Headers {
    return this[coreOf].headers
  }

  /** The final URL, after redirects. */
  get url(): string {
    return this[coreOf].url
  }

  /** The redirect responses that led here, oldest first. */
  get history(): ReadonlyArray<Response> {
    return this.#history ??= this[coreOf].history.map((response) => new Response(response))
  }

  /** The body, decoded from its `Content-Encoding` (empty for a `stream` request: use `iterContent()`). */
  get content(): Uint8Array {
    return this[coreOf].content
  }

  /** The body as text, decoded with `encoding`. */
  get text(): string {
    return this[coreOf].text
  }

  /** The charset of the body: from `Content-Type`, else detected, else utf-8. */
  get encoding(): string {
    return this[coreOf].encoding
  }

  /** The parsed `Link` header, by `rel`: `response.links.next?.url`. */
  get links(): CoreResponse.Response["links"] {
    return this[coreOf].links
  }

  /** The cookies this response set (they are also in the session's jar). */
  get cookies(): ReadonlyArray<CookieInfo> {
    return this[coreOf].cookies
  }

  /** Milliseconds from sending the request to the response headers (requests' `elapsed`). */
  get elapsed(): number {
    return this[coreOf].elapsed
  }

  get timings(): Timings {
    return this[coreOf].timings
  }

  /**
   * The attempts at this request that failed and were retried before this response, oldest first:
   * `[{ status: 503, waitedMs: 87 }, { error: "ConnectionError", waitedMs: 160 }]`. Empty without retries.
   */
  get retries(): ReadonlyArray<RetryAttempt> {
    return this[coreOf].retries
  }

  /** The request as sent for this response. */
  get request(): PreparedRequest {
    return this[coreOf].request
  }

  /** A redirect status with a `Location` header. */
  get isRedirect(): boolean {
    return this[coreOf].isRedirect
  }

  get isPermanentRedirect(): boolean {
    return this[coreOf].isPermanentRedirect
  }

  /**
   * The body parsed as JSON. Throws `JSONDecodeError` when it is not JSON.
   *
   * @example
   * ```ts
   * const { origin } = (await session.get(`${base}/ip`)).json<{ origin: string }>()
   * ```
   */
  json<T = unknown>(): T {
    const core = this[coreOf]
    try {
      return JSON.parse(core.text) as T
    } catch (cause) {
      throw fromCoreRequestError(
        new CoreErrors.JsonDecodeError({ method: core.request.method, url: core.url, cause, response: core }),
        keeping(this)
      )
    }
  }

  /** Throws `HTTPError` for a 4xx or 5xx status; returns the response otherwise. */
  raiseForStatus(): this {
    const core = this[coreOf]
    if (core.statusCode >= 400) {
      throw fromCoreRequestError(
        new CoreErrors.HttpError({ method: core.request.method, url: core.url, response: core }),
        keeping(this)
      )
    }
    return this
  }

  /**
   * The body, chunk by chunk, decoded from its `Content-Encoding`: read a `stream: true` response as it
   * arrives. For a response read whole, one chunk. A body cut short throws `ChunkedEncodingError`; one
   * past `maxBodySize` throws `BodyTooLarge`. Leaving the loop early (`break`, a throw) closes the
   * connection; reading to the end gives it back to the pool.
   *
   * @example
   * ```ts
   * const response = await session.get(`${base}/stream-bytes/100000`, { stream: true })
   * for await (const chunk of response.iterContent()) size += chunk.byteLength
   * ```
   */
  iterContent(): AsyncGenerator<Uint8Array, void, undefined> {
    return iterate(CoreResponse.iterContent(this[coreOf]))
  }

  /**
   * The body as lines of text, without their line ends (`\n`, `\r\n`, `\r`), read as it arrives
   * (requests' `iter_lines`): in the charset the `Content-Type` names, else UTF-8.
   *
   * @example
   * ```ts
   * const response = await session.get(`${base}/stream/3`, { stream: true })
   * for await (const line of response.iterLines()) console.log(JSON.parse(line).id)
   * ```
   */
  iterLines(): AsyncGenerator<string, void, undefined> {
    return iterate(CoreResponse.iterLines(this[coreOf]))
  }

  #body: ReadableStream<Uint8Array> | undefined

  /**
   * The body as a web `ReadableStream` (as `fetch`'s `response.body`), decoded, read as it is pulled;
   * cancelling it closes the connection. The same stream on every access.
   *
   * @example
   * ```ts
   * const response = await session.get(`${base}/bytes/1024`, { stream: true })
   * await response.body.pipeTo(new WritableStream({ write: (chunk) => { size += chunk.byteLength } }))
   * ```
   */
  get body(): ReadableStream<Uint8Array> {
    if (this.#body !== undefined) return this.#body
    const chunks = this.iterContent()
    return this.#body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next()
        if (next.done === true) controller.close()
        else controller.enqueue(next.value)
      },
      async cancel() {
        await chunks.return(undefined)
      }
    })
  }

  /**
   * For a `stream: true` response: releases the connection (and, in a `FuturesSession`, the worker slot)
   * without reading the rest of the body. A no-op once the body is read.
   */
  close(): Promise<void> {
    return runPromise(CoreResponse.close(this[coreOf]))
  }

  /**
   * `await using response = await session.get(url, { stream: true })`: `close()` at the end of the block.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  toJSON(): unknown {
    return this[coreOf].toJSON()
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `<Response [${this.statusCode}]>`
  }
}

/** A core stream as an async generator: each element pulled on demand; leaving early stops the stream. */
async function* iterate<A>(stream: Stream.Stream<A, unknown>): AsyncGenerator<A, void, undefined> {
  const scope = runSync(Scope.make())
  try {
    const pull = runSync(Scope.extend(Stream.toPull(stream), scope))
    // the end of the stream is a failure with `None`: an `undefined` chunk here
    const next = Effect.catchAll(pull, Option.match({ onNone: () => Effect.succeed(undefined), onSome: Effect.fail }))
    for (;;) {
      const chunk = await runPromise(next)
      if (chunk === undefined) return
      yield* chunk
    }
  } finally {
    await runPromise(Scope.close(scope, Exit.void))
  }
}
