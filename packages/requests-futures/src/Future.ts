import type { Future as CoreFuture } from "@requests-futures/core"
import * as Exit from "effect/Exit"
import { CancelledError } from "./errors/CancelledError.js"
import type { RequestInfo } from "./errors/RequestException.js"
import { TimeoutError } from "./errors/TimeoutError.js"
import { requestInfo } from "./internal/BaseSession.js"
import { coreOf } from "./internal/core.js"
import { failureOf } from "./internal/errors.js"
import { managedWait } from "./internal/worker.js"
import type { ErrorReporter } from "./types/options.js"
import { callSafely } from "./utils/report.js"

/** How a future ended: its value, or its error (what the work failed with, or `CancelledError`). */
export type Settled<T, E> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E | CancelledError }

/** `"pending"` (queued), `"running"` (holds a worker), `"cancelled"` or `"finished"`, as Python's states. */
export type FutureState = "pending" | "running" | "cancelled" | "finished"

/** Turns the failure of the core future into the error users see. */
type MapFailure = (failure: { readonly error: unknown } | undefined, request: RequestInfo | undefined) => unknown

/**
 * @internal What a session or executor does with its futures' outcomes, made once and shared by every
 * future it returns (three fields less per future).
 */
export interface FutureKind<T> {
  /** The core future's value becomes `mapValue(value)` (a core response, a facade one); as it is without. */
  readonly mapValue: ((value: unknown) => T) | undefined
  readonly mapFailure: MapFailure
  readonly report: ErrorReporter
}

/** @internal Calls back once the future is done (at once if it is); returns a function that stops it. */
export const observe: unique symbol = Symbol("requests-futures/observe")

/**
 * The result of a request (or of any submitted work) that runs in the background: Python's
 * `concurrent.futures.Future`, and a `PromiseLike`, so `await future` works.
 *
 * `E` is what the work can fail with: for a request, the `RequestError` union, so that
 * `settle()` gives a typed error a `switch (error._tag)` narrows.
 *
 * A future that fails and is never awaited is no unhandled rejection: nothing is created until you
 * ask (`then`, `result`, `exception`, `settle`).
 *
 * @example
 * ```ts
 * const future = session.get(url)
 * future.running() // true once a worker took it
 * const response = await future.result(5_000) // TimeoutError if not done in 5 s (the request goes on)
 * ```
 */
export class Future<T, E = unknown> implements PromiseLike<T> {
  /** @internal */
  readonly [coreOf]: CoreFuture.Future<unknown, unknown>
  /** What its session or executor does with every future's outcome: one object shared by all of them. */
  readonly #kind: FutureKind<T>
  /** The request's method and URL as given, for errors (turned into a `RequestInfo` only when one is made). */
  readonly #method: string | undefined
  readonly #url: string | URL | undefined
  #settled: Settled<T, E> | undefined
  #promise: Promise<T> | undefined

  /** @internal */
  constructor(core: CoreFuture.Future<unknown, unknown>, kind: FutureKind<T>, method?: string, url?: string | URL) {
    this[coreOf] = core
    this.#kind = kind
    this.#method = method
    this.#url = url
  }

  get #request(): RequestInfo | undefined {
    return this.#method === undefined ? undefined : requestInfo(this.#method, this.#url)
  }

  /** Makes the future awaitable: `await future` is `await future.result()`. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined
  ): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected)
  }

  /**
   * The value, once done. Rejects with the work's error, with `CancelledError` if the future was
   * cancelled, or with `TimeoutError` if it is not done within `timeoutMs` (the work goes on).
   */
  result(timeoutMs?: number): Promise<T> {
    if (timeoutMs === undefined) {
      return this.#promise ??= new Promise<T>((resolve, reject) => {
        this[observe]((settled) => settled.ok ? resolve(settled.value) : reject(settled.error))
      })
    }
    return this.#within(timeoutMs).then((settled) => {
      if (settled.ok) return settled.value
      throw settled.error
    })
  }

  /**
   * The error the work failed with, or `null` if it succeeded (Python's `None`). Rejects with `CancelledError` if the
   * future was cancelled, with `TimeoutError` if it is not done within `timeoutMs`.
   */
  async exception(timeoutMs?: number): Promise<E | null> {
    const settled = timeoutMs === undefined ? await this.settle() : await this.#within(timeoutMs)
    if (settled.ok) return null
    if (settled.error instanceof CancelledError) throw settled.error
    return settled.error
  }

  /**
   * Waits until done and tells how it ended, never rejecting: `{ ok: true, value }` or
   * `{ ok: false, error }`, with the error typed.
   *
   * @example
   * ```ts
   * const outcome = await session.get(url, { timeout: 100 }).settle()
   * if (!outcome.ok && outcome.error._tag === "ReadTimeout") console.log("too slow")
   * ```
   */
  settle(): Promise<Settled<T, E>> {
    return new Promise((resolve) => this[observe](resolve))
  }

  /**
   * Cancels the future. Queued: it never runs. Running: it is interrupted (a request's socket is
   * closed) and its worker moves on to the next. Returns `false` only when it had already finished.
   */
  cancel(): boolean {
    return this[coreOf].unsafeCancel()
  }

  /** `true` once cancelled. */
  cancelled(): boolean {
    return this[coreOf].unsafeCancelled()
  }

  /** `true` only while it holds a worker (not while queued, not once done). */
  running(): boolean {
    return this[coreOf].unsafeRunning()
  }

  /** `true` once finished or cancelled. */
  done(): boolean {
    return this[coreOf].unsafeDone()
  }

  get state(): FutureState {
    return this[coreOf].unsafeState()
  }

  /**
   * Calls `callback(future)` once the future is done (at once if it is), in the order added. A callback
   * that throws (or rejects) is reported to `onError` (default `console.error`) and affects nothing else.
   */
  addDoneCallback(callback: (future: this) => unknown): void {
    this[coreOf].unsafeAddObserver(() => callSafely(() => callback(this), this.#kind.report))
  }

  /** @internal Every wait goes through here: in a worker of the same executor, it lends the worker's slot. */
  [observe](callback: (settled: Settled<T, E>) => void): () => void {
    managedWait(this[coreOf])
    return this[coreOf].unsafeAddObserver((exit) => callback(this.#settle(exit)))
  }

  #settle(exit: Exit.Exit<unknown, unknown>): Settled<T, E> {
    return this.#settled ??= Exit.isSuccess(exit)
      ? { ok: true, value: this.#kind.mapValue === undefined ? exit.value as T : this.#kind.mapValue(exit.value) }
      : { ok: false, error: this.#kind.mapFailure(failureOf(exit.cause), this.#request) as E | CancelledError }
  }

  /** The outcome, or a `TimeoutError` after `timeoutMs`. */
  #within(timeoutMs: number): Promise<Settled<T, E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop()
        const request = this.#request
        const what = request === undefined ? "The future" : `${request.method} ${request.url}`
        reject(
          new TimeoutError(
            `${what} was not done within ${timeoutMs} ms; it goes on: wait again, or cancel() it`,
            { timeoutMs, request }
          )
        )
      }, timeoutMs)
      const stop = this[observe]((settled) => {
        clearTimeout(timer)
        resolve(settled)
      })
    })
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `<Future #${this[coreOf].id} state=${this.state}>`
  }
}
