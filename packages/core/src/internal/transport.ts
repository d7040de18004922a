import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as net from "node:net"
import { Agent, buildConnector, type Dispatcher, ProxyAgent } from "undici"
import {
  BodyTooLarge,
  ChunkedEncodingError,
  ConnectionError,
  ConnectTimeout,
  HookError,
  InvalidBody,
  InvalidHeader,
  ProxyError,
  ReadTimeout,
  type SendError,
  SslError
} from "../Errors.js"
import { Headers } from "../Headers.js"
import type { PreparedRequest, Progress } from "../Request.js"
import type * as Transport from "../Transport.js"
import { redactUrl } from "./url.js"

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

/**
 * The longest delay a Node timer holds (2^31-1 ms, ~24.8 days): a longer one (`Infinity`) would fire at
 * once with a TimeoutOverflowWarning, so it arms no timer at all.
 */
const maxTimerMs = 2 ** 31 - 1

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
  /** The consumer took a chunk: it is still reading (the read timer measures its silence too). */
  onPull: (() => void) | undefined
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
    // The first failure is the reason (a read timeout, then the abort that follows it).
    if (this.ended) return
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
      this.onPull?.()
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

const defaultPorts: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 }

/**
 * Whether an origin bypasses the proxy, by NO_PROXY's rules as undici and curl read them: entries
 * split by commas or spaces, `*` alone for every host, `host` or `.host` / `*.host` for it and its
 * subdomains, `host:port` for that port only.
 */
const noProxyMatcher = (noProxy: string): ((origin: string) => boolean) => {
  const entries = noProxy.split(/[,\s]/).filter((entry) => entry !== "").map((entry) => {
    const parsed = /^(.+):(\d+)$/.exec(entry)
    return {
      hostname: (parsed === null ? entry : parsed[1]!).replace(/^\*?\./, "").toLowerCase(),
      port: parsed === null ? 0 : Number(parsed[2])
    }
  })
  if (entries.length === 0) return () => false
  if (noProxy.trim() === "*") return () => true
  return (origin) => {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      return false
    }
    // `host` keeps the brackets of an IPv6 address, as the entries are written.
    const hostname = url.host.replace(/:\d*$/, "").toLowerCase()
    const port = Number(url.port) || defaultPorts[url.protocol] || 0
    return entries.some((entry) =>
      (entry.port === 0 || entry.port === port) &&
      (hostname === entry.hostname || hostname.endsWith(`.${entry.hostname}`))
    )
  }
}

const makeDispatcher = (
  config: Transport.TransportConfig,
  counters: { connected: number; disconnected: number }
): {
  readonly dispatcher: Pick<Dispatcher, "dispatch" | "destroy">
  readonly proxyFor: (origin: string) => string | undefined
} => {
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
  const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value)
  const httpProxy = nonEmpty(config.proxies?.http ?? env["HTTP_PROXY"] ?? env["http_proxy"])
  const httpsProxy = nonEmpty(config.proxies?.https ?? env["HTTPS_PROXY"] ?? env["https_proxy"])
  const direct = new Agent(agentOptions)
  if (httpProxy === undefined && httpsProxy === undefined) return { dispatcher: direct, proxyFor: () => undefined }
  const bypass = noProxyMatcher(config.proxies?.noProxy ?? env["NO_PROXY"] ?? env["no_proxy"] ?? "")
  // As requests: plain-http targets go to the proxy in absolute form; https ones through CONNECT.
  const viaProxy = (uri: string) => new ProxyAgent({ ...agentOptions, uri, requestTls: tls, proxyTls: tls, proxyTunnel: false })
  // Routed here rather than by undici's EnvHttpProxyAgent, which reads the environment even when
  // `trustEnv` is false and sends https through the http proxy when no https proxy is set. As requests,
  // each scheme has its own proxy (or none), and NO_PROXY hosts go direct.
  const routes = {
    http: httpProxy === undefined ? undefined : { agent: viaProxy(httpProxy), shown: redactUrl(httpProxy) },
    https: httpsProxy === undefined ? undefined : { agent: viaProxy(httpsProxy), shown: redactUrl(httpsProxy) }
  }
  const routeOf = (origin: string) => {
    const route = origin.startsWith("https:") ? routes.https : routes.http
    return route === undefined || bypass(origin) ? undefined : route
  }
  const agents = [direct, routes.http?.agent, routes.https?.agent].filter((agent) => agent !== undefined)
  const router = {
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) =>
      (routeOf(String(options.origin))?.agent ?? direct).dispatch(options, handler),
    destroy: () => Promise.all(agents.map((agent) => agent.destroy())).then(() => undefined)
  }
  return {
    dispatcher: router,
    // Named in a ProxyError's message: without the proxy's password.
    proxyFor: (origin) => routeOf(origin)?.shown
  }
}

type UndiciBody = Exclude<Dispatcher.DispatchOptions["body"], undefined>

/** Progress events go out at most this often (and once at the end). */
const progressIntervalMs = 50

/**
 * Counts bytes for a progress callback and calls it throttled: the first call, then at most every
 * `progressIntervalMs`, and always at the end.
 */
class ProgressMeter {
  transferred = 0
  private last = -Infinity
  constructor(
    private readonly f: (progress: Progress) => void,
    private readonly total: number | undefined,
    private readonly onThrow: (cause: unknown) => void
  ) {}

  add(bytes: number): void {
    this.transferred += bytes
    const now = performance.now()
    if (now - this.last >= progressIntervalMs) {
      this.last = now
      this.emit()
    }
  }

  end(): void {
    if (this.total === undefined || this.transferred === this.total) this.emit()
  }

  emit(): void {
    const { total, transferred } = this
    try {
      this.f(
        total === undefined
          ? { transferred }
          : { transferred, total, percent: total === 0 ? 100 : Math.min(100, (transferred / total) * 100) }
      )
    } catch (cause) {
      this.onThrow(cause)
    }
  }
}

/**
 * A body of 16 KiB or more whose length is announced is copied into one buffer as it comes: its chunks
 * (views of the socket's read buffers) are let go at once, not held until the end and copied then (twice
 * its size held, and a long copy). Measured on 64 KiB bodies, 2,000 queued at once (ab.ts, interleaved
 * rounds): Promise facade 198.6 -> 183.0 us CPU per request, full GCs 20 -> 17 (threshold 1 MiB before).
 * Above 64 MiB it is collected as it comes, not allocated on the server's word.
 */
const PREALLOCATE_FROM = 16 * 1024
const PREALLOCATE_UP_TO = 64 * 1024 * 1024

const contentLengthOf = (headers: Headers): number | undefined => {
  const value = headers.get("content-length")
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/** Slices of a byte body, so that its upload progress can be seen (a fresh read on every call). */
async function* slices(body: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < body.length; offset += 64 * 1024) yield body.subarray(offset, offset + 64 * 1024)
}

/**
 * A streamed body that nobody reads any more (its Response was garbage-collected) gives its
 * connection back: its exchange is aborted, which also ends what waited for its end (a worker slot).
 */
const abandoned = new FinalizationRegistry<() => void>((abort) => abort())

/**
 * One request on the wire: the undici dispatch handler and its state. A class, not closures:
 * this runs for every request, and one object with prototype methods is what allocates least.
 *
 * undici keeps up to 256 finished requests per connection, with their handlers, before it trims
 * its queue. So once settled, an exchange lets go of everything it does not still need (`resume`,
 * which reaches the whole future and response, the body chunks, the headers): kept, they survived
 * every young-generation GC and were promoted, which cost a third of the CPU of a small request.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private readonly start = performance.now()
  private phase: Phase = "connect"
  private settled = false
  private cancelled = false
  private abortSocket: ((error?: Error) => void) | undefined = undefined
  private connectTimer: ReturnType<typeof setTimeout> | undefined = undefined
  // undici's own headers/body timeouts tick at ~1 s resolution: a read timeout of 10 ms would
  // fire after a second. One native timer, refreshed on every byte, is exact and cheap.
  private readTimer: ReturnType<typeof setTimeout> | undefined = undefined
  private statusCode = 0
  private reason = ""
  private headers = Headers.empty
  private headersAt = 0
  private chunks: Array<Buffer> = []
  private size = 0
  /** A large body of announced length, filled as its chunks come (each let go at once). */
  private body: Buffer | undefined
  private readonly channel: BodyChannel | undefined
  /** A streamed body's exchange is over (complete, failed, aborted): nothing is armed any more. */
  private bodyOver = false
  private bodyEndCallbacks: Array<() => void> | undefined = undefined
  private download: ProgressMeter | undefined = undefined
  /** The upload's own source failed: that, not the socket, is why the request failed. */
  sourceError: { readonly cause: unknown } | undefined = undefined
  /** A progress callback threw: that is why the request failed. */
  private callbackError: HookError | undefined = undefined

  private hookError(hook: string, cause: unknown): HookError {
    return this.callbackError ??= new HookError({ method: this.request.method, url: this.request.url, hook, cause })
  }

  constructor(
    private readonly request: PreparedRequest,
    private readonly options: Transport.SendOptions,
    private readonly proxy: string | undefined,
    private resume: ((exit: Exit.Exit<Transport.RawResponse, SendError>) => void) | undefined
  ) {
    this.channel = options.stream === true ? new BodyChannel() : undefined
    if (options.connectTimeout !== undefined && options.connectTimeout <= maxTimerMs) {
      this.connectTimer = setTimeout(this.onConnectTimeout, options.connectTimeout)
    }
  }

  private readonly onConnectTimeout = () => {
    const { method, url } = this.request
    this.settle(Exit.fail(new ConnectTimeout({ method, url, timeoutMs: this.options.connectTimeout! })))
    this.abort()
  }

  private readonly onReadTimeout = () => {
    this.fail(
      new ReadTimeout({
        method: this.request.method,
        url: this.request.url,
        timeoutMs: this.options.readTimeout!,
        phase: this.phase === "body" ? "body" : "headers"
      })
    )
  }

  /** Fails the exchange from our side (a timer, a limit): the response or the body, and the socket. */
  private fail(error: SendError): void {
    if (this.channel !== undefined && this.settled) this.channel.fail(error)
    else this.settle(Exit.fail(error))
    this.abort()
  }

  private readonly armReadTimer = (): void => {
    if (this.options.readTimeout === undefined || this.options.readTimeout > maxTimerMs || this.bodyOver) return
    if (this.readTimer !== undefined) this.readTimer.refresh()
    else this.readTimer = setTimeout(this.onReadTimeout, this.options.readTimeout)
  }

  private clearReadTimer(): void {
    if (this.readTimer !== undefined) clearTimeout(this.readTimer)
    this.readTimer = undefined
  }

  private settle(exit: Exit.Exit<Transport.RawResponse, SendError>, bodyFollows = false): void {
    if (this.settled) return
    this.settled = true
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer)
    // A streamed body keeps its read timer until the body ends.
    if (!bodyFollows) this.clearReadTimer()
    const resume = this.resume
    this.resume = undefined
    resume?.(exit)
  }

  /** A streamed body's exchange is over: its timer goes, and whoever waited for its connection is told. */
  private endBody(): void {
    if (this.bodyOver) return
    this.bodyOver = true
    this.clearReadTimer()
    abandoned.unregister(this)
    const callbacks = this.bodyEndCallbacks
    this.bodyEndCallbacks = undefined
    if (callbacks !== undefined) for (const f of callbacks) f()
  }

  private readonly onBodyEnd = (f: () => void): void => {
    if (this.bodyOver) return f()
    ;(this.bodyEndCallbacks ??= []).push(f)
  }

  /**
   * Cancels the exchange: the socket is destroyed, and nothing is resumed if nothing was yet
   * (a no-op once the response is complete).
   */
  readonly abort = (): void => {
    if (this.bodyOver) return
    this.cancelled = true
    if (!this.settled) {
      this.settled = true
      if (this.connectTimer !== undefined) clearTimeout(this.connectTimer)
      this.clearReadTimer()
    }
    this.abortSocket?.(new Error("request cancelled"))
    if (this.channel !== undefined) {
      // A reader still pulling learns that the body stops here (it stopped reading, or it was abandoned).
      this.channel.fail(new ChunkedEncodingError({ method: this.request.method, url: this.request.url }))
      this.endBody()
    }
  }

  private respond(body: Uint8Array): void {
    const channel = this.channel
    const elapsed = this.headersAt - this.start
    let bodyStream: Stream.Stream<Uint8Array, SendError> | undefined
    if (channel !== undefined) {
      // `pull` is reachable from the response (through its stream) and from a running read of it, never
      // from the exchange: once it is garbage, nobody can read the body, and its connection is let go.
      const pull = Effect.suspend(() => channel.pull)
      abandoned.register(pull, this.abort, this)
      bodyStream = Stream.repeatEffectOption(pull).pipe(
        Stream.ensuring(Effect.sync(() => {
          if (!channel.finished) this.abort()
        }))
      )
    }
    this.settle(
      Exit.succeed({
        statusCode: this.statusCode,
        reason: this.reason,
        headers: this.headers,
        body,
        bodyStream,
        onBodyEnd: channel === undefined ? undefined : this.onBodyEnd,
        elapsed,
        total: channel === undefined ? performance.now() - this.start : elapsed
      }),
      channel !== undefined
    )
  }

  /**
   * The request body as undici takes it: bytes, or a read of its source that counts and reports.
   * undici sends any async iterable (chunked unless a Content-Length is set), though its types name
   * only Node's `Readable`.
   */
  dispatchBody(): UndiciBody {
    const { request, options } = this
    const onUpload = options.onUploadProgress
    if (request.bodyStream === undefined) {
      if (onUpload === undefined || request.body === undefined) return request.body ?? null
      return this.counted(slices(request.body), onUpload, request.body.length) as unknown as UndiciBody
    }
    return this.counted(request.bodyStream(), onUpload, contentLengthOf(request.headers)) as unknown as UndiciBody
  }

  private async *counted(
    source: AsyncIterable<Uint8Array>,
    onProgress: ((progress: Progress) => void) | undefined,
    total: number | undefined
  ): AsyncGenerator<Uint8Array> {
    const meter = onProgress === undefined ? undefined : new ProgressMeter(onProgress, total, (cause) => {
      throw this.hookError("onUploadProgress", cause)
    })
    meter?.emit()
    const iterator = source[Symbol.asyncIterator]()
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>
        try {
          next = await iterator.next()
        } catch (cause) {
          this.sourceError = { cause }
          throw cause
        }
        if (next.done === true) break
        const chunk = next.value
        if (chunk.length === 0) continue
        yield chunk
        meter?.add(chunk.length)
      }
      meter?.end()
    } finally {
      // undici stops reading on a failure: the source is told (a Node stream is destroyed).
      await iterator.return?.()
    }
  }

  onConnect(abortFn: (error?: Error) => void): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer)
    this.abortSocket = abortFn
    this.phase = "headers"
    if (this.cancelled) abortFn(new Error("request cancelled"))
    else this.armReadTimer()
  }

  onHeaders(status: number, rawHeaders: Array<Buffer>, resumeSocket: () => void, statusText: string): boolean {
    if (status < 200) return true
    this.statusCode = status
    this.reason = statusText
    this.headers = Headers.fromRaw(rawHeaders)
    this.headersAt = performance.now()
    this.phase = "body"
    const { maxBodySize, onDownloadProgress } = this.options
    if (maxBodySize !== undefined || onDownloadProgress !== undefined) {
      const length = this.request.method === "HEAD" || status === 204 || status === 304
        ? undefined
        : contentLengthOf(this.headers)
      if (maxBodySize !== undefined && length !== undefined && length > maxBodySize) {
        this.fail(this.tooLarge(length))
        return false
      }
      if (onDownloadProgress !== undefined) {
        this.download = new ProgressMeter(
          onDownloadProgress,
          length,
          (cause) => this.fail(this.hookError("onDownloadProgress", cause))
        )
        this.download.emit()
        if (this.callbackError !== undefined) return false
      }
    }
    this.armReadTimer()
    const channel = this.channel
    if (channel === undefined && status !== 204 && status !== 304 && this.request.method !== "HEAD") {
      const length = contentLengthOf(this.headers)
      if (length !== undefined && length >= PREALLOCATE_FROM && length <= PREALLOCATE_UP_TO) {
        this.body = Buffer.allocUnsafeSlow(length)
      }
    }
    if (channel !== undefined) {
      // A paused socket keeps its read timer: a body nobody reads for that long fails and is let go.
      // Each chunk the reader takes is a sign of life, as each byte from the server is.
      channel.onPull = this.armReadTimer
      channel.resumeSocket = resumeSocket
      this.respond(new Uint8Array(0))
    }
    return true
  }

  private tooLarge(size: number): BodyTooLarge {
    return new BodyTooLarge({
      method: this.request.method,
      url: this.request.url,
      limit: this.options.maxBodySize!,
      size
    })
  }

  onData(chunk: Buffer): boolean {
    this.armReadTimer()
    this.size += chunk.length
    if (this.options.maxBodySize !== undefined && this.size > this.options.maxBodySize) {
      this.fail(this.tooLarge(this.size))
      return false
    }
    this.download?.add(chunk.length)
    if (this.callbackError !== undefined) return false
    if (this.channel !== undefined) return this.channel.push(chunk)
    if (this.body !== undefined) {
      if (this.size <= this.body.length) {
        chunk.copy(this.body, this.size - chunk.length)
        return true
      }
      this.chunks.push(this.body.subarray(0, this.size - chunk.length))
      this.body = undefined
    }
    this.chunks.push(chunk)
    return true
  }

  onComplete(): void {
    this.clearReadTimer()
    this.download?.end()
    this.download = undefined
    if (this.channel !== undefined) {
      this.channel.end()
      return this.endBody()
    }
    const body = this.body
    this.body = undefined
    this.respond(body === undefined ? concat(this.chunks, this.size) : body.subarray(0, this.size))
    this.chunks = []
    this.headers = Headers.empty
  }

  onError(error: Error): void {
    this.clearReadTimer()
    this.download = undefined
    // once settled, only a streamed body still has a reader to tell
    if (this.settled && (this.cancelled || this.channel === undefined)) return
    const mapped = this.callbackError !== undefined
      ? this.callbackError
      : this.sourceError !== undefined
      ? new InvalidBody({
        method: this.request.method,
        url: this.request.url,
        reason: "reading the body's source failed",
        cause: this.sourceError.cause
      })
      : toSendError(error, this.request, this.phase, this.options, this.proxy)
    if (this.channel !== undefined && this.settled) {
      this.channel.fail(mapped)
      this.endBody()
    } else this.settle(Exit.fail(mapped))
  }
}

export const TransportTag = Context.GenericTag<Transport.Transport>("@requests-futures/core/Transport")

export const makeUnsafe = (config: Transport.TransportConfig = {}): Transport.Transport & {
  readonly close: () => Promise<void>
} => {
  const counters = { connected: 0, disconnected: 0 }
  const { dispatcher, proxyFor } = makeDispatcher(config, counters)

  const start = (
    request: PreparedRequest,
    options: Transport.SendOptions,
    resume: (exit: Exit.Exit<Transport.RawResponse, SendError>) => void
  ): () => void => {
    const { origin, path } = splitUrl(request.url)
    const exchange = new Exchange(request, options, proxyFor(origin), resume)
    try {
      dispatcher.dispatch({
        origin,
        path,
        method: request.method,
        headers: flattenHeaders(request.headers),
        body: exchange.dispatchBody(),
        headersTimeout: 0,
        bodyTimeout: 0
      }, exchange)
    } catch (error) {
      exchange.onError(error as Error)
    }
    return exchange.abort
  }

  const send = (request: PreparedRequest, options: Transport.SendOptions) =>
    Effect.async<Transport.RawResponse, SendError>((resume) => Effect.sync(start(request, options, resume)))

  return {
    start,
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
