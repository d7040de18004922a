import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as net from "node:net"
import { Agent, buildConnector, type Dispatcher, EnvHttpProxyAgent } from "undici"
import {
  ChunkedEncodingError,
  ConnectionError,
  ConnectTimeout,
  InvalidHeader,
  ProxyError,
  ReadTimeout,
  type SendError,
  SslError
} from "../Errors.js"
import { Headers } from "../Headers.js"
import type { PreparedRequest } from "../Request.js"
import type * as Transport from "../Transport.js"

/** Where a failure happened decides what it means: before the headers the request failed, after them the body. */
type Phase = "connect" | "headers" | "body"

const tlsCodes = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "HOSTNAME_MISMATCH"
])

const codeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"
    ? (error as { code: string }).code
    : ""

/** Maps an undici or socket error to the typed error a user of requests would expect. */
export const toSendError = (
  error: unknown,
  request: PreparedRequest,
  phase: Phase,
  options: Transport.SendOptions,
  proxy: string | undefined
): SendError => {
  const info = { method: request.method, url: request.url, cause: error }
  const code = codeOf(error)
  switch (code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new ConnectTimeout({ ...info, timeoutMs: options.connectTimeout ?? connectTimeoutDefault })
    case "UND_ERR_HEADERS_TIMEOUT":
      return new ReadTimeout({ ...info, timeoutMs: options.readTimeout ?? 0, phase: "headers" })
    case "UND_ERR_BODY_TIMEOUT":
      return new ReadTimeout({ ...info, timeoutMs: options.readTimeout ?? 0, phase: "body" })
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return new ChunkedEncodingError(info)
    case "UND_ERR_INVALID_ARG":
      if (/header/i.test(error instanceof Error ? error.message : "")) {
        // undici names the header in its message ("invalid x-foo header"); keep it when it does.
        const header = /invalid ([^\s]+) header/i.exec((error as Error).message)?.[1] ?? "(unknown)"
        return new InvalidHeader({ ...info, header, reason: (error as Error).message })
      }
  }
  if (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || tlsCodes.has(code)) return new SslError(info)
  if (proxy !== undefined && phase === "connect") return new ProxyError({ ...info, proxy })
  return phase === "body" ? new ChunkedEncodingError(info) : new ConnectionError(info)
}

/** undici's own connect timeout is a backstop only: per-request connect timeouts are timed here. */
const connectTimeoutDefault = 300_000

/**
 * Body chunks of a streamed response, with backpressure: undici is paused while more than
 * `highWaterMark` chunks wait to be pulled.
 */
class BodyChannel {
  private readonly chunks: Array<Uint8Array> = []
  private ended = false
  private error: SendError | undefined
  private waiter: (() => void) | undefined
  resumeSocket: (() => void) | undefined
  private static readonly highWaterMark = 16

  push(chunk: Uint8Array): boolean {
    this.chunks.push(chunk)
    this.wake()
    return this.chunks.length < BodyChannel.highWaterMark
  }

  end(): void {
    this.ended = true
    this.wake()
  }

  fail(error: SendError): void {
    this.error = error
    this.ended = true
    this.wake()
  }

  get finished(): boolean {
    return this.ended
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }

  readonly pull: Effect.Effect<Uint8Array, Option.Option<SendError>> = Effect.suspend(() => {
    const chunk = this.chunks.shift()
    if (chunk !== undefined) {
      if (this.chunks.length === 0) this.resumeSocket?.()
      return Effect.succeed(chunk)
    }
    if (this.error !== undefined) return Effect.fail(Option.some(this.error))
    if (this.ended) return Effect.fail(Option.none())
    return Effect.async<void>((resume) => {
      this.waiter = () => resume(Effect.void)
      this.resumeSocket?.()
      return Effect.sync(() => {
        this.waiter = undefined
      })
    }).pipe(Effect.zipRight(this.pull))
  })
}

// Most requests of a session send the session's own Headers value: flatten it once.
const flattened = new WeakMap<Headers, Array<string>>()
const flattenHeaders = (headers: Headers): Array<string> => {
  let out = flattened.get(headers)
  if (out !== undefined) return out
  out = []
  for (const [name, value] of headers) out.push(name, value)
  flattened.set(headers, out)
  return out
}

/**
 * Origin and path of a URL that `prepareUrl` already normalised (WHATWG href), without parsing it
 * again: the path starts at the first "/" after the authority; the fragment is not sent.
 */
const splitUrl = (href: string): { readonly origin: string; readonly path: string } => {
  const slash = href.indexOf("/", href.indexOf("//") + 2)
  if (slash === -1) return { origin: href, path: "/" }
  const hash = href.indexOf("#", slash)
  return { origin: href.slice(0, slash), path: hash === -1 ? href.slice(slash) : href.slice(slash, hash) }
}

const concat = (chunks: ReadonlyArray<Buffer>, size: number): Uint8Array =>
  chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Array<Buffer>, size)

const toPem = (value: string | Uint8Array): string | Buffer =>
  typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)

const makeDispatcher = (
  config: Transport.TransportConfig,
  counters: { connected: number; disconnected: number }
): { readonly dispatcher: Dispatcher; readonly proxyFor: (origin: string) => string | undefined } => {
  const verify = config.verify ?? true
  const ca = typeof verify === "object"
    ? (Array.isArray(verify.ca) ? verify.ca : [verify.ca as string | Uint8Array]).map(toPem)
    : undefined
  const tls = {
    rejectUnauthorized: verify !== false,
    ...(ca !== undefined ? { ca } : {}),
    ...(config.cert !== undefined
      ? {
        cert: toPem(config.cert.cert),
        key: toPem(config.cert.key),
        ...(config.cert.passphrase !== undefined ? { passphrase: config.cert.passphrase } : {})
      }
      : {})
  }
  const connector = buildConnector({ ...tls, timeout: connectTimeoutDefault })
  // Counting sockets here is what lets tests and benchmarks prove the pool bound.
  const connect: buildConnector.connector = (options, callback) =>
    connector(options, (error, socket) => {
      if (error === null && socket != null) {
        counters.connected++
        ;(socket as net.Socket).once("close", () => counters.disconnected++)
      }
      callback(error, socket as never)
    })
  const agentOptions = {
    connections: config.connections ?? 16,
    keepAliveTimeout: config.keepAliveTimeout ?? 4_000,
    pipelining: 1,
    connect
  }
  const env = config.trustEnv ?? true ? process.env : {}
  const httpProxy = config.proxies?.http ?? env["HTTP_PROXY"] ?? env["http_proxy"]
  const httpsProxy = config.proxies?.https ?? env["HTTPS_PROXY"] ?? env["https_proxy"]
  const noProxy = config.proxies?.noProxy ?? env["NO_PROXY"] ?? env["no_proxy"]
  if (httpProxy === undefined && httpsProxy === undefined) {
    return { dispatcher: new Agent(agentOptions), proxyFor: () => undefined }
  }
  const dispatcher = new EnvHttpProxyAgent({
    ...agentOptions,
    ...(httpProxy !== undefined ? { httpProxy } : {}),
    ...(httpsProxy !== undefined ? { httpsProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
    requestTls: tls,
    proxyTls: tls,
    // As requests: plain-http targets go to the proxy in absolute form; https ones through CONNECT.
    proxyTunnel: false
  })
  return {
    dispatcher,
    proxyFor: (origin) => (origin.startsWith("https:") ? httpsProxy : httpProxy)
  }
}

export const makeUnsafe = (config: Transport.TransportConfig = {}): Transport.Transport & {
  readonly close: () => Promise<void>
} => {
  const counters = { connected: 0, disconnected: 0 }
  const { dispatcher, proxyFor } = makeDispatcher(config, counters)

  const send = (request: PreparedRequest, options: Transport.SendOptions) =>
    Effect.async<Transport.RawResponse, SendError>((resume) => {
      const start = performance.now()
      const { origin, path } = splitUrl(request.url)
      const proxy = proxyFor(origin)
      let phase: Phase = "connect"
      let settled = false
      let cancelled = false
      let abortSocket: ((error?: Error) => void) | undefined
      let connectTimer: ReturnType<typeof setTimeout> | undefined
      // undici's own headers/body timeouts tick at ~1 s resolution: a read timeout of 10 ms would
      // fire after a second. One native timer, refreshed on every byte, is exact and cheap.
      let readTimer: ReturnType<typeof setTimeout> | undefined
      const readTimeout = options.readTimeout
      const armReadTimer = () => {
        if (readTimeout === undefined) return
        if (readTimer !== undefined) {
          readTimer.refresh()
          return
        }
        readTimer = setTimeout(() => {
          const error = new ReadTimeout({
            method: request.method,
            url: request.url,
            timeoutMs: readTimeout,
            phase: phase === "body" ? "body" : "headers"
          })
          if (channel !== undefined && settled) channel.fail(error)
          else settle(Effect.fail(error))
          abort()
        }, readTimeout)
      }
      const clearReadTimer = () => {
        if (readTimer !== undefined) clearTimeout(readTimer)
        readTimer = undefined
      }
      let statusCode = 0
      let reason = ""
      let headers = Headers.empty
      let headersAt = 0
      const chunks: Array<Buffer> = []
      let size = 0
      const channel = options.stream === true ? new BodyChannel() : undefined

      const settle = (effect: Effect.Effect<Transport.RawResponse, SendError>, bodyFollows = false) => {
        if (settled) return
        settled = true
        if (connectTimer !== undefined) clearTimeout(connectTimer)
        // A streamed body keeps its read timer until the body ends.
        if (!bodyFollows) clearReadTimer()
        resume(effect)
      }
      const abort = () => {
        cancelled = true
        abortSocket?.(new Error("request cancelled"))
      }
      const respond = (body: Uint8Array) => {
        const now = performance.now()
        settle(Effect.succeed({
          statusCode,
          reason,
          headers,
          body,
          bodyStream: channel === undefined
            ? undefined
            : Stream.repeatEffectOption(channel.pull).pipe(
              Stream.ensuring(Effect.sync(() => {
                if (!channel.finished) abort()
              }))
            ),
          elapsed: headersAt - start,
          total: channel === undefined ? now - start : headersAt - start
        }), channel !== undefined)
      }

      const handler: Dispatcher.DispatchHandler = {
        onConnect(abortFn) {
          if (connectTimer !== undefined) clearTimeout(connectTimer)
          abortSocket = abortFn
          phase = "headers"
          if (cancelled) abortFn(new Error("request cancelled"))
          else armReadTimer()
        },
        onHeaders(status, rawHeaders, resumeSocket, statusText) {
          if (status < 200) return true
          statusCode = status
          reason = statusText
          headers = Headers.fromRaw(rawHeaders)
          headersAt = performance.now()
          phase = "body"
          armReadTimer()
          if (channel !== undefined) {
            // While the reader holds the socket paused, silence is not the server's fault.
            channel.resumeSocket = () => {
              armReadTimer()
              resumeSocket()
            }
            respond(new Uint8Array(0))
          }
          return true
        },
        onData(chunk) {
          armReadTimer()
          if (channel !== undefined) {
            const more = channel.push(chunk)
            if (!more) clearReadTimer()
            return more
          }
          chunks.push(chunk)
          size += chunk.length
          return true
        },
        onComplete() {
          clearReadTimer()
          if (channel !== undefined) channel.end()
          else respond(concat(chunks, size))
        },
        onError(error) {
          clearReadTimer()
          if (cancelled && settled) return
          const mapped = toSendError(error, request, phase, options, proxy)
          if (channel !== undefined && settled) channel.fail(mapped)
          else settle(Effect.fail(mapped))
        }
      }

      if (options.connectTimeout !== undefined) {
        connectTimer = setTimeout(() => {
          settle(Effect.fail(
            new ConnectTimeout({ method: request.method, url: request.url, timeoutMs: options.connectTimeout! })
          ))
          abort()
        }, options.connectTimeout)
      }
      try {
        dispatcher.dispatch({
          origin,
          path,
          method: request.method,
          headers: flattenHeaders(request.headers),
          body: request.body ?? null,
          headersTimeout: 0,
          bodyTimeout: 0
        }, handler)
      } catch (error) {
        settle(Effect.fail(toSendError(error, request, "connect", options, proxy)))
      }
      return Effect.sync(abort)
    })

  return {
    send,
    stats: () => ({ ...counters }),
    close: () => dispatcher.destroy()
  }
}

export const make = (config?: Transport.TransportConfig) =>
  Effect.acquireRelease(
    Effect.sync(() => makeUnsafe(config)),
    (transport) => Effect.promise(() => transport.close())
  ).pipe(Effect.map((transport): Transport.Transport => transport))
