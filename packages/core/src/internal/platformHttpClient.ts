import * as PlatformCookies from "@effect/platform/Cookies"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as PlatformHeaders from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { STATUS_CODES } from "node:http"
import {
  ChunkedEncodingError,
  ConnectionError,
  InvalidBody,
  type InvalidOption,
  InvalidUrl,
  ReadTimeout,
  type RequestError,
  type SendError
} from "../Errors.js"
import type { CancelledError, ExecutorShutdown, FutureTimeout, InvalidMaxWorkers, QueueFull } from "../FutureErrors.js"
import * as FuturesSession from "../FuturesSession.js"
import { Headers } from "../Headers.js"
import type { PreparedRequest } from "../Request.js"
import type * as Response from "../Response.js"
import type { TransportOptions } from "../PlatformHttpClient.js"
import * as Transport from "../Transport.js"
import { toSendError } from "./transport.js"

// ---------------------------------------------------------------------------------------------
// HttpClient over a FuturesSession
// ---------------------------------------------------------------------------------------------

/** A request body as bytes, with the Content-Type its encoding implies (multipart boundary, form). */
interface EncodedBody {
  readonly bytes: Uint8Array | undefined
  readonly contentType: string | undefined
}

const noBody: EncodedBody = { bytes: undefined, contentType: undefined }

/** What the web `Response` constructor takes as a body. */
type BodyInit = NonNullable<ConstructorParameters<typeof globalThis.Response>[0]>

const isBodyInit = (u: unknown): u is BodyInit =>
  typeof u === "string" || u instanceof ArrayBuffer || ArrayBuffer.isView(u) || u instanceof Blob ||
  u instanceof URLSearchParams || u instanceof FormData || u instanceof ReadableStream

/** What the web platform makes of a body (a FormData's multipart encoding and boundary, a Blob's type). */
const encodeBodyInit = (
  request: HttpClientRequest.HttpClientRequest,
  body: BodyInit
): Effect.Effect<EncodedBody, HttpClientError.RequestError> =>
  Effect.tryPromise({
    try: async () => {
      const encoded = new globalThis.Response(body)
      return {
        bytes: new Uint8Array(await encoded.arrayBuffer()),
        contentType: encoded.headers.get("content-type") ?? undefined
      }
    },
    catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
  })

const encodeBody = (
  request: HttpClientRequest.HttpClientRequest,
  body: HttpBody.HttpBody
): Effect.Effect<EncodedBody, HttpClientError.RequestError> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(noBody)
    case "Uint8Array":
      return Effect.succeed({ bytes: body.body, contentType: undefined })
    case "FormData":
      return encodeBodyInit(request, body.formData)
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks): EncodedBody => ({ bytes: concat(Chunk.toReadonlyArray(chunks)), contentType: undefined })),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
    case "Raw":
      if (typeof body.body === "string") return Effect.succeed({ bytes: textEncoder.encode(body.body), contentType: undefined })
      if (body.body instanceof Uint8Array) return Effect.succeed({ bytes: body.body, contentType: undefined })
      if (isBodyInit(body.body)) return encodeBodyInit(request, body.body)
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Encode",
          description: `a Raw body must be a string, bytes, Blob, FormData, URLSearchParams or ReadableStream, got ${
            body.body === null ? "null" : typeof body.body
          }`
        })
      )
  }
}

const textEncoder = new TextEncoder()

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array =>
  chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Array<Uint8Array>)

/** Our errors that mean the URL, or the request's encoding, was at fault; the rest are transport failures. */
const reasonOf = (error: RequestError | ExecutorShutdown | QueueFull | CancelledError | FutureTimeout) => {
  switch (error._tag) {
    case "InvalidUrl":
    case "MissingSchema":
    case "InvalidSchema":
      return "InvalidUrl"
    case "InvalidHeader":
    case "InvalidBody":
      return "Encode"
    default:
      return "Transport"
  }
}

const toHttpClientError = (
  request: HttpClientRequest.HttpClientRequest,
  error: RequestError | ExecutorShutdown | QueueFull | CancelledError | FutureTimeout
): HttpClientError.RequestError =>
  new HttpClientError.RequestError({ request, reason: reasonOf(error), cause: error, description: error.message })

/**
 * An `HttpClientResponse` over our `Response`, whose body the session has read and decoded (gzip,
 * deflate, br; charset for `text`).
 */
class SessionResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(readonly request: HttpClientRequest.HttpClientRequest, readonly response: Response.Response) {
    super()
  }

  get status(): number {
    return this.response.statusCode
  }

  private headersCache: PlatformHeaders.Headers | undefined
  get headers(): PlatformHeaders.Headers {
    return this.headersCache ??= PlatformHeaders.fromInput(this.response.headers.toRecord())
  }

  private cookiesCache: PlatformCookies.Cookies | undefined
  get cookies(): PlatformCookies.Cookies {
    return this.cookiesCache ??= PlatformCookies.fromSetCookie(this.response.headers.getAll("set-cookie"))
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => this.response.text)
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    // As platform's own responses: an empty body is `null`.
    return Effect.try({
      try: () => (this.response.text === "" ? null : JSON.parse(this.response.text) as unknown),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => UrlParams.fromInput(new URLSearchParams(this.response.text)),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    // A copy: the content may be a view into a larger buffer.
    return Effect.sync(() => new Uint8Array(this.response.content).buffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.response.content.length === 0 ? Stream.empty : Stream.make(this.response.content)
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    const contentType = this.response.headers.get("content-type")
    return Effect.tryPromise({
      try: () =>
        new globalThis.Response(this.response.content, {
          headers: contentType === undefined ? {} : { "content-type": contentType }
        }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

export const fromFuturesSession = (session: FuturesSession.FuturesSession): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.flatMap(encodeBody(request, request.body), (body) => {
      const { "content-length": _length, ...headers }: Record<string, string> = request.headers
      if (body.contentType !== undefined && headers["content-type"] === undefined) {
        headers["content-type"] = body.contentType
      }
      return Effect.uninterruptibleMask((restore) =>
        session.request({
          method: request.method,
          url: url.toString(),
          headers,
          data: body.bytes,
          // The future resolves with the whole body, read in the worker slot.
          stream: false
        }).pipe(
          // Waiting on a future never stops its work: interrupting the caller cancels it (and its socket).
          Effect.flatMap((future) => Effect.onInterrupt(restore(future.result()), () => future.cancel)),
          Effect.mapError((error) => toHttpClientError(request, error))
        )
      )
    }).pipe(Effect.map((response) => new SessionResponse(request, response)))
  ).pipe(HttpClient.withTracerPropagation(false))

export const make = (
  config?: FuturesSession.FuturesSessionConfig
): Effect.Effect<HttpClient.HttpClient, InvalidMaxWorkers | InvalidOption, Scope.Scope> =>
  Effect.map(FuturesSession.make(config), fromFuturesSession)

export const layer = (
  config?: FuturesSession.FuturesSessionConfig
): Layer.Layer<HttpClient.HttpClient, InvalidMaxWorkers | InvalidOption> => Layer.scoped(HttpClient.HttpClient, make(config))

// ---------------------------------------------------------------------------------------------
// A Transport over an HttpClient
// ---------------------------------------------------------------------------------------------

/** The first error in a cause chain that carries a `code` (fetch wraps them: `TypeError("fetch failed")`). */
const codedCause = (error: unknown): unknown => {
  let current = error
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if (typeof (current as { readonly code?: unknown }).code === "string") return current
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

const toSendErrorFrom = (
  error: HttpClientError.HttpClientError,
  request: PreparedRequest,
  options: Transport.SendOptions
): SendError => {
  const info = { method: request.method, url: request.url, cause: error }
  if (error._tag === "RequestError") {
    switch (error.reason) {
      case "InvalidUrl":
        return new InvalidUrl({ ...info, reason: error.description ?? String(error.cause) })
      case "Encode":
        return new InvalidBody({ ...info, reason: error.description ?? "the HttpClient could not encode it" })
      case "Transport":
        return toSendError(codedCause(error) ?? error, request, "headers", options, undefined)
    }
  }
  return new ConnectionError(info)
}

const toPlatformRequest = (
  request: PreparedRequest,
  contentDecoding: TransportOptions["contentDecoding"]
): HttpClientRequest.HttpClientRequest => {
  const headers: Record<string, string> = {}
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase()
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`
  }
  // Platform clients differ: fetch decodes gzip/br itself and keeps the Content-Encoding header,
  // Node's http does not. Unless told which, no compression is negotiated.
  if (contentDecoding === undefined) headers["accept-encoding"] = "identity"
  // The body goes as is (Raw), so the client adds no Content-Type of its own.
  const contentLength = request.headers.get("content-length")
  return HttpClientRequest.make(request.method as HttpClientRequest.HttpClientRequest["method"])(request.url, {
    headers,
    // A body read as it is sent (a stream, a Blob) goes as a stream; its source failing is a defect here.
    ...(request.bodyStream !== undefined ? {
      body: HttpBody.stream(
        Stream.fromAsyncIterable(request.bodyStream(), (cause) => cause),
        request.headers.get("content-type"),
        contentLength === undefined ? undefined : Number(contentLength)
      )
    } : request.body === undefined ? {} : {
      body: HttpBody.raw(request.body, {
        contentType: request.headers.get("content-type"),
        contentLength: request.body.byteLength
      })
    })
  })
}

export const makeTransport = (
  options: TransportOptions = {}
): Effect.Effect<Transport.Transport, never, HttpClient.HttpClient> => Effect.gen(function*() {
  const { contentDecoding } = options
  // Our session sends its own tracing headers (`tracing: true`); the platform client adds none.
  const client = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, false)
  const runtime = yield* Effect.runtime<never>()
  // Our session follows redirects; fetch (the one platform client that follows) is told not to.
  const fetchInit = Option.getOrElse(yield* Effect.serviceOption(FetchHttpClient.RequestInit), () => ({}))
  const noRedirects: globalThis.RequestInit = { ...fetchInit, redirect: "manual" }

  const send = (request: PreparedRequest, options: Transport.SendOptions): Effect.Effect<Transport.RawResponse, SendError> =>
    Effect.suspend(() => {
      const start = performance.now()
      const { readTimeout, connectTimeout } = options
      const readTimeoutError = (phase: "headers" | "body") =>
        new ReadTimeout({ method: request.method, url: request.url, timeoutMs: readTimeout ?? 0, phase })
      let headers = client.execute(toPlatformRequest(request, contentDecoding)).pipe(
        Effect.provideService(FetchHttpClient.RequestInit, noRedirects),
        // A client that fails on a status (`filterStatusOk`) still got the response we want.
        Effect.catchIf(
          (error): error is HttpClientError.ResponseError =>
            error._tag === "ResponseError" && error.reason === "StatusCode",
          (error) => Effect.succeed(error.response)
        ),
        Effect.mapError((error) => toSendErrorFrom(error, request, options))
      )
      // The platform does not say when the connection was made: the headers get connect + read.
      if (readTimeout !== undefined) {
        headers = Effect.timeoutFail(headers, {
          duration: readTimeout + (connectTimeout ?? 0),
          onTimeout: () => readTimeoutError("headers")
        })
      }
      return Effect.flatMap(headers, (response) => {
        const elapsed = performance.now() - start
        const rawHeaders = rawHeadersOf(response, contentDecoding === "client")
        let body: Stream.Stream<Uint8Array, SendError> = response.stream.pipe(
          Stream.catchAll((error) =>
            error.reason === "EmptyBody"
              ? Stream.empty
              : Stream.fail(new ChunkedEncodingError({ method: request.method, url: request.url, cause: error }))
          )
        )
        if (readTimeout !== undefined) body = Stream.timeoutFail(body, () => readTimeoutError("body"), readTimeout)
        const raw = {
          statusCode: response.status,
          reason: STATUS_CODES[response.status] ?? "",
          headers: rawHeaders,
          elapsed
        }
        if (options.stream === true) {
          return Effect.succeed<Transport.RawResponse>({
            ...raw,
            body: new Uint8Array(0),
            bodyStream: body,
            total: elapsed
          })
        }
        return Effect.map(Stream.runCollect(body), (chunks): Transport.RawResponse => ({
          ...raw,
          body: concat(Chunk.toReadonlyArray(chunks)),
          bodyStream: undefined,
          total: performance.now() - start
        }))
      })
    })

  const start = (
    request: PreparedRequest,
    options: Transport.SendOptions,
    resume: (exit: Exit.Exit<Transport.RawResponse, SendError>) => void
  ): () => void => {
    const fiber = Runtime.runFork(runtime)(send(request, options))
    fiber.addObserver(resume)
    return () => {
      fiber.removeObserver(resume)
      fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }

  return { send, start, stats: () => ({ connected: 0, disconnected: 0 }) }
})

const decodedHeaders: ReadonlySet<string> = new Set(["content-encoding", "content-length"])
const noHeaders: ReadonlySet<string> = new Set()

/** Headers as sent, Set-Cookie one by one (platform headers are a record: repeats would collapse). */
const rawHeadersOf = (response: HttpClientResponse.HttpClientResponse, decoded: boolean): Headers => {
  const pairs: Array<readonly [string, string]> = []
  // A body the client decoded has neither the encoding nor the length the headers state.
  const dropped = decoded && response.headers["content-encoding"] !== undefined ? decodedHeaders : noHeaders
  for (const name of Object.keys(response.headers)) {
    if (name !== "set-cookie" && !dropped.has(name)) pairs.push([name, response.headers[name]!])
  }
  const setCookies = PlatformCookies.toSetCookieHeaders(response.cookies)
  if (setCookies.length > 0) for (const value of setCookies) pairs.push(["set-cookie", value])
  else if (response.headers["set-cookie"] !== undefined) pairs.push(["set-cookie", response.headers["set-cookie"]])
  return Headers.from(pairs)
}

export const transport: Effect.Effect<Transport.Transport, never, HttpClient.HttpClient> = makeTransport()

export const layerTransport = (
  options?: TransportOptions
): Layer.Layer<Transport.Transport, never, HttpClient.HttpClient> => Layer.effect(Transport.Transport, makeTransport(options))
