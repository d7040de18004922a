/**
 * The executor's queues: one per host, served fairly, each ordered by priority (FIFO within one), with
 * a host's own concurrency limit, rate limit, pause (a 429's `Retry-After`) and adaptive limit (AIMD).
 *
 * Work without a key goes to one default host with no limit of its own: with no `perHost` settings
 * and no priorities, this is one FIFO list and each decision is O(1), as the executor was before.
 */
import * as Duration from "effect/Duration"
import type * as Executor from "../Executor.js"
import type { FutureImpl } from "./future.js"

type AnyFuture = FutureImpl<unknown, unknown>

/**
 * Futures linked through their own `prev` / `next`: a future is in one list at a time (a host's
 * queue, then the running list), so pushing and removing are O(1) and allocate nothing. (The running
 * futures were a `Set` once: its table, old like the executor, kept finished futures' responses
 * reachable from the old generation, and with 64 KiB bodies only full GCs freed them.)
 */
export class FutureList {
  head: AnyFuture | undefined = undefined
  tail: AnyFuture | undefined = undefined
  size = 0

  push(f: AnyFuture): void {
    if (this.tail === undefined) {
      this.head = this.tail = f
    } else {
      f.prev = this.tail
      this.tail.next = f
      this.tail = f
    }
    this.size++
  }

  /** After the last future of a priority at least `f`'s (FIFO within a priority): O(1) when all are equal. */
  pushByPriority(f: AnyFuture): void {
    let after = this.tail
    while (after !== undefined && after.priority < f.priority) after = after.prev
    this.insertAfter(f, after)
  }

  /** Before every future of its priority (a future coming back from a backoff has waited already). */
  pushFrontOfPriority(f: AnyFuture): void {
    let after = this.tail
    while (after !== undefined && after.priority <= f.priority) after = after.prev
    this.insertAfter(f, after)
  }

  private insertAfter(f: AnyFuture, after: AnyFuture | undefined): void {
    if (after === this.tail) return this.push(f)
    const before = after === undefined ? this.head! : after.next!
    f.prev = after
    f.next = before
    before.prev = f
    if (after === undefined) this.head = f
    else after.next = f
    this.size++
  }

  remove(f: AnyFuture): void {
    if (f.prev === undefined) this.head = f.next
    else f.prev.next = f.next
    if (f.next === undefined) this.tail = f.prev
    else f.next.prev = f.prev
    f.prev = f.next = undefined
    this.size--
  }

  toArray(): Array<AnyFuture> {
    const out: Array<AnyFuture> = []
    for (let f = this.head; f !== undefined; f = f.next) out.push(f)
    return out
  }
}

/**
 * At most `limit` starts in any window of `intervalMs`: the start times of the last `limit` starts,
 * in a ring. (A token bucket refilled continuously would let up to twice `limit` start within one
 * interval after an idle period; this is the bound users read "10 per second" as.)
 */
class RateWindow {
  private readonly starts: Array<number>
  private next = 0

  constructor(readonly limit: number, readonly intervalMs: number) {
    this.starts = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY)
  }

  /** When the next start is allowed (`now` or later). */
  allowedAt(now: number): number {
    return Math.max(now, this.starts[this.next]! + this.intervalMs)
  }

  record(now: number): void {
    this.starts[this.next] = now
    this.next = (this.next + 1) % this.limit
  }

  /** Starts still allowed right now. */
  tokens(now: number): number {
    let used = 0
    for (const at of this.starts) if (at > now - this.intervalMs) used++
    return this.limit - used
  }
}

/** One host's queue and limits. */
export class Host {
  readonly pending = new FutureList()
  running = 0
  /** The limit in force: `maxLimit`, or less after a 429 when adaptive. */
  limit: number
  pausedUntil = 0
  /** Successes in a row since the limit last changed (AIMD grows it by one after `limit` of them). */
  private successes = 0
  /** In the scheduler's list of hosts with queued work. */
  active = false

  constructor(
    readonly key: string,
    readonly maxLimit: number,
    readonly rate: RateWindow | undefined,
    readonly adaptive: boolean
  ) {
    this.limit = maxLimit
  }

  /** When this host could start its next queued future, if its slots allow (`now` if it can now). */
  readyAt(now: number): number {
    const paused = Math.max(now, this.pausedUntil)
    return this.rate === undefined ? paused : Math.max(paused, this.rate.allowedAt(now))
  }

  /** Feedback from a finished attempt: AIMD when adaptive. */
  signal(signal: Executor.HostSignal, now: number): void {
    if (!this.adaptive) return
    if (signal._tag === "Ok") {
      if (this.limit < this.maxLimit && ++this.successes >= this.limit) {
        this.limit++
        this.successes = 0
      }
      return
    }
    this.limit = Math.max(1, Math.floor(this.limit / 2))
    this.successes = 0
    if (signal._tag === "Throttled" && signal.retryAfterMs !== undefined) {
      this.pausedUntil = Math.max(this.pausedUntil, now + signal.retryAfterMs)
    }
  }

  stats(now: number): Executor.HostStats {
    return {
      host: this.key,
      running: this.running,
      queued: this.pending.size,
      limit: this.limit,
      maxWorkers: this.maxLimit,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : undefined,
      rateTokens: this.rate?.tokens(now)
    }
  }
}

const intervalMs = (rate: Executor.RateLimit): number => Duration.toMillis(Duration.decode(rate.interval))

/**
 * The hosts and their queues. `next` picks the future to start: among the hosts that can start one
 * now, the one whose head has the highest priority; among equals, the first after the host served
 * last (round robin), so a busy host never keeps another waiting.
 */
export class Scheduler {
  readonly defaultHost: Host
  private readonly hosts = new Map<string, Host>()
  /** Hosts with queued futures. */
  private readonly active: Array<Host> = []
  private turn = 0
  queued = 0
  /** Set when some host has a rate limit, a pause or an adaptive limit: `now` is read only then. */
  private readonly timed: boolean

  constructor(
    private readonly perHost: Executor.PerHost | undefined,
    private readonly adaptive: boolean,
    private readonly now: () => number
  ) {
    this.defaultHost = new Host("", Number.POSITIVE_INFINITY, undefined, false)
    this.timed = adaptive || (perHost !== undefined && (typeof perHost === "function" || perHost.rate !== undefined))
  }

  host(key: string | undefined): Host {
    if (key === undefined) return this.defaultHost
    let host = this.hosts.get(key)
    if (host === undefined) {
      const limits = typeof this.perHost === "function" ? this.perHost(key) : this.perHost
      const rate = limits?.rate
      host = new Host(
        key,
        limits?.maxWorkers ?? Number.POSITIVE_INFINITY,
        rate === undefined ? undefined : new RateWindow(rate.limit, intervalMs(rate)),
        this.adaptive
      )
      this.hosts.set(key, host)
    }
    return host
  }

  push(f: AnyFuture, front = false): void {
    const host = f.host
    if (front) host.pending.pushFrontOfPriority(f)
    else host.pending.pushByPriority(f)
    this.queued++
    if (!host.active) {
      host.active = true
      this.active.push(host)
    }
  }

  remove(f: AnyFuture): void {
    const host = f.host
    host.pending.remove(f)
    this.queued--
    if (host.pending.size === 0) this.deactivate(host)
  }

  private deactivate(host: Host): void {
    host.active = false
    const i = this.active.indexOf(host)
    this.active.splice(i, 1)
    if (this.turn > i) this.turn--
  }

  /**
   * The next future to start (taken off its queue), or `undefined`; then `wakeAt` is when a host that
   * is paused or rate limited could start one (`undefined`: nothing to wait for).
   */
  next(): AnyFuture | undefined {
    this.wakeAt = undefined
    const active = this.active
    const n = active.length
    if (n === 0) return undefined
    if (n === 1 && !this.timed) {
      const host = active[0]!
      return host.running < host.limit ? this.take(host, 0) : undefined
    }
    const now = this.timed ? this.now() : 0
    let best: Host | undefined
    let bestIndex = 0
    for (let k = 0; k < n; k++) {
      const i = (this.turn + k) % n
      const host = active[i]!
      if (host.running >= host.limit) continue
      if (this.timed) {
        const at = host.readyAt(now)
        if (at > now) {
          if (this.wakeAt === undefined || at < this.wakeAt) this.wakeAt = at
          continue
        }
      }
      if (best === undefined || host.pending.head!.priority > best.pending.head!.priority) {
        best = host
        bestIndex = i
      }
    }
    if (best === undefined) return undefined
    const f = this.take(best, bestIndex)
    best.rate?.record(now)
    return f
  }

  /** Set by `next` when it found nothing to start now but a host will be startable later. */
  wakeAt: number | undefined = undefined

  private take(host: Host, index: number): AnyFuture {
    const f = host.pending.head!
    host.pending.remove(f)
    this.queued--
    if (host.pending.size === 0) {
      host.active = false
      this.active.splice(index, 1)
      this.turn = index
    } else {
      this.turn = index + 1
    }
    if (this.active.length > 0) this.turn %= this.active.length
    else this.turn = 0
    return f
  }

  /** The oldest queued future (by submission), for `onFull: "dropOldest"`. */
  oldest(): AnyFuture | undefined {
    let oldest: AnyFuture | undefined
    for (const host of this.active) {
      for (let f = host.pending.head; f !== undefined; f = f.next) {
        if (oldest === undefined || f.submittedAt < oldest.submittedAt) oldest = f
      }
    }
    return oldest
  }

  /** Every queued future, hosts in turn. */
  all(): Array<AnyFuture> {
    return this.active.flatMap((host) => host.pending.toArray())
  }

  hostStats(): ReadonlyArray<Executor.HostStats> {
    const now = this.now()
    return Array.from(this.hosts.values(), (host) => host.stats(now))
  }
}
