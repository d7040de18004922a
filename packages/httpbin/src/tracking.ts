import type { IncomingMessage } from "node:http"

/** What the server knows about one request, for tests that prove what a client did. */
export interface RequestInfo {
  /** Server-assigned id, also sent back as the X-Request-Id response header. */
  readonly id: string
  /** The client's X-Track-Id request header, if it sent one. */
  readonly trackId: string | undefined
  readonly method: string
  /** The request path as sent, without the query string. */
  readonly path: string
  /** Which TCP connection carried the request (1, 2, ... in accept order). */
  readonly connectionId: number
  /** Date.now() when the request head arrived. */
  readonly receivedAt: number
  /** The client closed the connection before the response was completely written. */
  readonly closedByClient: boolean
  /** The response was completely written. */
  readonly finished: boolean
  /** The connection that carried the request has closed (for any reason). */
  readonly socketClosed: boolean
}

/** Shared by every request on one TCP connection. */
export interface ConnectionState {
  readonly id: number
  closed: boolean
}

/** The mutable record behind a RequestInfo snapshot. */
export interface RequestRecord {
  readonly id: string
  readonly trackId: string | undefined
  readonly method: string
  readonly path: string
  readonly receivedAt: number
  readonly connection: ConnectionState
  finished: boolean
  closedByClient: boolean
  /** Set when the server breaks the connection on purpose (faults, close()). */
  serverAborted: boolean
  responseClosed: boolean
}

const snapshot = (r: RequestRecord): RequestInfo => ({
  id: r.id,
  trackId: r.trackId,
  method: r.method,
  path: r.path,
  connectionId: r.connection.id,
  receivedAt: r.receivedAt,
  closedByClient: r.closedByClient,
  finished: r.finished,
  socketClosed: r.connection.closed
})

const DEFAULT_WAIT_MS = 5_000

/** A bounded log of requests with waiters, keyed by request id and by X-Track-Id. */
export class RequestTracker {
  private readonly byId = new Map<string, RequestRecord>()
  private readonly byTrackId = new Map<string, RequestRecord>()
  private readonly listeners = new Set<() => void>()
  private sequence = 0
  /** Once set, connections closing are the server's doing, not the client's. */
  serverClosing = false

  constructor(private readonly capacity = 100_000) {}

  begin(req: IncomingMessage, connection: ConnectionState): RequestRecord {
    const target = req.url ?? "/"
    const q = target.indexOf("?")
    const rawTrackId = req.headers["x-track-id"]
    const record: RequestRecord = {
      id: `req-${++this.sequence}`,
      trackId: Array.isArray(rawTrackId) ? rawTrackId.join(",") : rawTrackId,
      method: req.method ?? "GET",
      path: q === -1 ? target : target.slice(0, q),
      receivedAt: Date.now(),
      connection,
      finished: false,
      closedByClient: false,
      serverAborted: false,
      responseClosed: false
    }
    this.byId.set(record.id, record)
    if (record.trackId !== undefined) this.byTrackId.set(record.trackId, record)
    if (this.byId.size > this.capacity) this.evictOldest()
    this.notify()
    return record
  }

  finished(record: RequestRecord): void {
    record.finished = true
    this.notify()
  }

  /** The response closed; if it had not finished and the server did not cause it, the client did. */
  closed(record: RequestRecord): void {
    if (!record.finished && !record.serverAborted && !this.serverClosing) record.closedByClient = true
    record.responseClosed = true
    this.notify()
  }

  info(id: string): RequestInfo | undefined {
    const record = this.lookup(id)
    return record === undefined ? undefined : snapshot(record)
  }

  all(): ReadonlyArray<RequestInfo> {
    return Array.from(this.byId.values(), snapshot)
  }

  waitForRequest(id: string, timeoutMs = DEFAULT_WAIT_MS): Promise<RequestInfo | undefined> {
    return this.waitUntil(timeoutMs, undefined, () => {
      const record = this.lookup(id)
      return record === undefined ? undefined : snapshot(record)
    })
  }

  waitForClientClose(id: string, timeoutMs = DEFAULT_WAIT_MS): Promise<boolean> {
    return this.waitUntil(timeoutMs, false, () => {
      const record = this.lookup(id)
      if (record === undefined) return undefined
      if (record.closedByClient) return true
      // A completed response, or one that closed for another reason, settles it.
      return record.finished || record.responseClosed ? false : undefined
    })
  }

  private notify(): void {
    for (const listener of Array.from(this.listeners)) listener()
  }

  private lookup(id: string): RequestRecord | undefined {
    return this.byTrackId.get(id) ?? this.byId.get(id)
  }

  private evictOldest(): void {
    const oldest = this.byId.values().next()
    if (oldest.done === true) return
    this.byId.delete(oldest.value.id)
    if (oldest.value.trackId !== undefined && this.byTrackId.get(oldest.value.trackId) === oldest.value) {
      this.byTrackId.delete(oldest.value.trackId)
    }
  }

  /** Resolves with check()'s first defined answer, or onTimeout. */
  private waitUntil<A>(timeoutMs: number, onTimeout: A, check: () => A | undefined): Promise<A> {
    const now = check()
    if (now !== undefined) return Promise.resolve(now)
    return new Promise((resolve) => {
      const finish = (value: A) => {
        clearTimeout(timer)
        this.listeners.delete(listener)
        resolve(value)
      }
      const listener = () => {
        const value = check()
        if (value !== undefined) finish(value)
      }
      const timer = setTimeout(() => finish(onTimeout), Math.max(0, timeoutMs))
      // A forgotten wait must not keep the process alive.
      timer.unref()
      this.listeners.add(listener)
    })
  }
}
