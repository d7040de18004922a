import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { NonceStore } from "./digest.js"
import { Exchange, type ServerScope } from "./request.js"
import {
  empty,
  HttpError,
  INTERNAL_ERROR_HTML,
  METHOD_NOT_ALLOWED_HTML,
  NOT_FOUND_HTML,
  send,
  sendHtml
} from "./response.js"
import { Router, type Route } from "./router.js"
import { allRoutes } from "./routes/index.js"
import { RequestTracker, type ConnectionState, type RequestInfo } from "./tracking.js"

export type { RequestInfo } from "./tracking.js"

export interface HttpbinOptions {
  /** Port to listen on; 0 (the default) picks a free ephemeral port. */
  readonly port?: number | undefined
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string | undefined
  /** Print handler errors (the 500s) to stderr; default false. */
  readonly logErrors?: boolean | undefined
}

export interface HttpbinStats {
  /** TCP connections accepted since start or the last resetStats(). */
  readonly accepted: number
  /** TCP connections open right now. */
  readonly open: number
}

export interface HttpbinServer {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:54321". */
  readonly url: string
  readonly port: number
  readonly host: string
  /** Stops listening and destroys every connection (idle keep-alive and stalled ones too). */
  close(): Promise<void>
  stats(): HttpbinStats
  resetStats(): void
  /** Looks a request up by X-Track-Id (latest such request) or by server id (X-Request-Id). */
  requestInfo(id: string): RequestInfo | undefined
  /** Every request seen, oldest first (the log keeps the latest 100,000). */
  requests(): ReadonlyArray<RequestInfo>
  /** Resolves when a request with that track id (or request id) has arrived; undefined on timeout (default 5 s). */
  waitForRequest(id: string, timeoutMs?: number): Promise<RequestInfo | undefined>
  /**
   * Resolves true once that request's connection was closed by the client before its response
   * ended; false when the response completed instead, or on timeout (default 5 s).
   */
  waitForClientClose(id: string, timeoutMs?: number): Promise<boolean>
  /** Requests /flaky/:key/:n has seen for `key` since the last reset (0 for a key never seen). */
  flakyCount(key: string): number
  /** Forgets the count of `key` (of every key without one), as `DELETE /flaky/:key` does. */
  resetFlaky(key?: string): void
}

const MAX_BODY_BYTES = 64 * 1024 * 1024
const KEEP_ALIVE_TIMEOUT_MS = 5_000
// Generous, so tests can send large request headers; /fault/huge-headers covers the other direction.
const MAX_HEADER_SIZE = 256 * 1024

const hasBody = (req: IncomingMessage): boolean => {
  const length = req.headers["content-length"]
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0")
}

class BodyAborted extends Error {}

/** Buffers the request body; every echo endpoint needs it whole (form, files, json, data). */
const readBody = (req: IncomingMessage, signal: AbortSignal): Promise<Buffer> => {
  if (!hasBody(req)) return Promise.resolve(Buffer.alloc(0))
  return new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      req.off("data", onData)
      req.off("end", onEnd)
      req.off("error", onError)
      signal.removeEventListener("abort", onAbort)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        cleanup()
        req.resume()
        reject(new HttpError(413, "", "text/html; charset=utf-8", { Connection: "close" }))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    }
    const onError = () => {
      cleanup()
      reject(new BodyAborted())
    }
    const onAbort = onError
    req.on("data", onData)
    req.once("end", onEnd)
    req.once("error", onError)
    signal.addEventListener("abort", onAbort, { once: true })
  })
}

const answerOptions = (ex: Exchange, allow: ReadonlyArray<string>): void => {
  const headers: Record<string, string> = {
    Allow: allow.join(", "),
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, PATCH, OPTIONS",
    "Access-Control-Max-Age": "3600"
  }
  const requested = ex.header("access-control-request-headers")
  if (requested !== undefined) headers["Access-Control-Allow-Headers"] = requested
  empty(ex, 200, headers)
}

const dispatch = async (ex: Exchange, router: Router, logErrors: boolean): Promise<void> => {
  try {
    ex.body = await readBody(ex.req, ex.signal)
    const match = router.match(ex.path, ex.method)
    switch (match.kind) {
      case "not-found":
        return sendHtml(ex, NOT_FOUND_HTML, 404)
      case "method-not-allowed":
        if (ex.method === "OPTIONS") return answerOptions(ex, match.allow)
        return sendHtml(ex, METHOD_NOT_ALLOWED_HTML, 405, { Allow: match.allow.join(", ") })
      case "found":
        ex.params = match.params
        await match.route.handler(ex)
        return
    }
  } catch (error) {
    if (ex.signal.aborted || error instanceof BodyAborted) return
    if (error instanceof HttpError) {
      if (!ex.res.headersSent) return send(ex, error.status, error.body, error.contentType, error.headers)
    } else if (logErrors) {
      console.error(`httpbin: ${ex.method} ${ex.target} failed:`, error)
    }
    if (!ex.res.headersSent) return sendHtml(ex, INTERNAL_ERROR_HTML, 500)
    // Too late for a status code: end the connection mid-response (after what was already
    // written) so the client sees a truncated body rather than a complete one.
    ex.breakConnection().end()
  }
}

const urlHost = (host: string): string => {
  if (host === "0.0.0.0") return "127.0.0.1"
  if (host === "::") return "[::1]"
  return host.includes(":") ? `[${host}]` : host
}

/** Starts an httpbin.org-compatible server; resolves once it is listening. */
export const startHttpbin = (options: HttpbinOptions = {}): Promise<HttpbinServer> => startServer(options, allRoutes)

/** startHttpbin with a given route table; internal, so tests can exercise the server's error handling. */
export const startServer = (options: HttpbinOptions, routes: ReadonlyArray<Route>): Promise<HttpbinServer> => {
  const router = new Router(routes)
  const host = options.host ?? "127.0.0.1"
  const logErrors = options.logErrors ?? false
  const scope: ServerScope = { host, port: options.port ?? 0, nonces: new NonceStore(), flaky: new Map() }
  const tracker = new RequestTracker()
  const connections = new Map<Socket, ConnectionState>()
  let accepted = 0
  let connectionSequence = 0

  const server = createServer({ maxHeaderSize: MAX_HEADER_SIZE, requireHostHeader: false })
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS

  server.on("connection", (socket: Socket) => {
    accepted++
    const state: ConnectionState = { id: ++connectionSequence, closed: false }
    connections.set(socket, state)
    socket.once("close", () => {
      state.closed = true
      connections.delete(socket)
    })
  })

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.get(req.socket) ?? { id: 0, closed: false }
    const record = tracker.begin(req, connection)
    res.setHeader("X-Request-Id", record.id)
    if (record.trackId !== undefined) res.setHeader("X-Track-Id", record.trackId)
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin ?? "*")
    res.setHeader("Access-Control-Allow-Credentials", "true")
    const controller = new AbortController()
    res.once("finish", () => tracker.finished(record))
    res.once("close", () => {
      tracker.closed(record)
      controller.abort()
    })
    // Writes racing a client disconnect must not become unhandled 'error' events.
    res.on("error", () => undefined)
    const ex = new Exchange(req, res, controller.signal, scope, () => {
      record.serverAborted = true
    })
    // dispatch handles its own errors; this only guards against a failure while reporting one.
    dispatch(ex, router, logErrors).catch(() => ex.breakConnection().destroy())
  })

  return new Promise((resolve, reject) => {
    const onStartError = (error: Error) => reject(error)
    server.once("error", onStartError)
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off("error", onStartError)
      // After startup, errors are per connection and handled by node:http; keep one listener
      // so a stray server error cannot crash the process hosting the tests.
      server.on("error", (error) => {
        if (logErrors) console.error("httpbin: server error:", error)
      })
      const port = (server.address() as AddressInfo).port
      scope.port = port
      let closing: Promise<void> | undefined
      resolve({
        url: `http://${urlHost(host)}:${port}`,
        port,
        host,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            tracker.serverClosing = true
            server.close(() => done())
            for (const socket of connections.keys()) socket.destroy()
          })),
        stats: () => ({ accepted, open: connections.size }),
        resetStats: () => {
          accepted = 0
        },
        requestInfo: (id) => tracker.info(id),
        requests: () => tracker.all(),
        waitForRequest: (id, timeoutMs) => tracker.waitForRequest(id, timeoutMs),
        waitForClientClose: (id, timeoutMs) => tracker.waitForClientClose(id, timeoutMs),
        flakyCount: (key) => scope.flaky.get(key) ?? 0,
        resetFlaky: (key) => {
          if (key === undefined) scope.flaky.clear()
          else scope.flaky.delete(key)
        }
      })
    })
  })
}
