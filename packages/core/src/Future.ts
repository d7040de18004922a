/**
 * A `Future<A, E>` is the handle `Executor.submit` returns at once for a piece of work: Python's
 * `concurrent.futures.Future`, over the fiber that runs the work.
 *
 * A future is `pending` (queued, no fiber yet), then `running` (it holds one of its executor's worker
 * slots), then done: `finished` (with a value, a typed failure `E` or a defect) or `cancelled`.
 *
 * A future is itself an `Effect<A, E | CancelledError>`, as Effect's `Deferred` and `Fiber` are:
 * `yield* future` waits for its result (it is `future.result()`: the work's value, its typed error,
 * `CancelledError`, or the work's defect re-raised), and `Effect.all(futures)`, `Effect.map(future, f)`
 * or `future.pipe(Effect.timeout(...))` take it as they take any effect. Interrupting the fiber that
 * waits never cancels the future.
 *
 * Every reader comes twice: as an `Effect` (`future.done`, `future.result({ timeout })`, ...) and as a
 * synchronous `unsafe*` method for code outside Effect (the Promise facade).
 *
 * ```ts
 * import { Console, Effect, Stream } from "effect"
 * import { Executor, Future } from "@requests-futures/core"
 *
 * Effect.gen(function*() {
 *   const executor = yield* Executor.make({ maxWorkers: 4 })
 *   const futures = yield* Effect.forEach(urls, (url) => executor.submit(fetchPage(url)))
 *   yield* Future.asCompleted(futures, { timeout: "10 seconds" }).pipe(
 *     Stream.runForEach((future) => Effect.flatMap(future, Console.log))
 *   )
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type * as Types from "effect/Types"
import type * as Unify from "effect/Unify"
import type { CancelledError, FutureTimeout } from "./FutureErrors.js"
import * as internal from "./internal/future.js"

/**
 * @since 0.1.0
 * @category errors
 */
export { CancelledError, type CancelReason, FutureTimeout } from "./FutureErrors.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * `"pending"` (queued), `"running"` (holds a worker slot), `"cancelled"` or `"finished"` (with a value,
 * a failure or a defect) — Python's PENDING / RUNNING / CANCELLED / FINISHED.
 *
 * @since 0.1.0
 * @category models
 */
export type State = "pending" | "running" | "cancelled" | "finished"

/**
 * When the future was submitted, started and finished, in milliseconds of `performance.now()`.
 * Its queue time is `startedAt - submittedAt`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timings {
  readonly submittedAt: number
  /** `None` while queued, and for a future cancelled while queued. */
  readonly startedAt: Option.Option<number>
  readonly finishedAt: Option.Option<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ResultOptions {
  /** Fail with `FutureTimeout` when the future is not done within this time. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * On timeout, also cancel the future (interrupting its work if it runs). Default `false`: as in Python,
   * the work goes on and the future may be awaited again.
   */
  readonly cancelOnTimeout?: boolean | undefined
}

/**
 * A handle over submitted work.
 *
 * A future is an `Effect<A, E | CancelledError>`, as Effect's `Deferred` and `Fiber` are: running it
 * (`yield* future`, `Effect.all(futures)`, `future.pipe(Effect.timeout(...))`) is `future.result()`.
 * Two futures are `Equal` only when they are the same future.
 *
 * Awaiting a future (`yield* future`, `result`, `exception`, `await`, `Future.wait`,
 * `Future.asCompleted`) never affects the work: interrupting the fiber that awaits only stops the
 * waiting. Only `cancel` (and the executor's shutdown with `cancelFutures` / `interruptRunning`, or its
 * scope closing) stops work.
 *
 * @since 0.1.0
 * @category models
 */
export interface Future<out A, out E = never> extends Effect.Effect<A, E | CancelledError>, Inspectable.Inspectable {
  readonly [TypeId]: Variance<A, E>
  readonly [Unify.typeSymbol]?: unknown
  readonly [Unify.unifySymbol]?: FutureUnify<this>
  readonly [Unify.ignoreSymbol]?: FutureUnifyIgnore
  /** A process-wide sequence number, for logs and error messages. */
  readonly id: number

  /**
   * The value of the work. Fails with its typed error `E`, with `CancelledError` when the future was
   * cancelled, with `FutureTimeout` when `timeout` expired first (the work goes on unless
   * `cancelOnTimeout: true`). A defect of the work (`Effect.die`, a thrown exception) is re-raised as the
   * same defect.
   */
  result(options?: ResultOptions): Effect.Effect<A, E | CancelledError | FutureTimeout>
  /**
   * The typed failure of the work: `None` when it succeeded, `Some(error)` when it failed with `E`.
   * Fails with `CancelledError` / `FutureTimeout` like `result`; a defect is re-raised as a defect.
   */
  exception(options?: ResultOptions): Effect.Effect<Option.Option<E>, CancelledError | FutureTimeout>
  /** Waits until the future is done and returns how it ended, never failing. */
  readonly await: Effect.Effect<Exit.Exit<A, E | CancelledError>>
  /**
   * Cancels the future:
   * - pending: it is removed from the queue (O(1)) and its work never runs; `true`.
   * - running: its fiber is interrupted (an HTTP request aborts its socket), its worker slot is freed at
   *   once for the next queued future, and it is done at once with `CancelledError`, without waiting for
   *   the work's finalizers (they finish in the background; `executor.shutdown({ wait: true })` does wait
   *   for them); `true`. (Python cannot stop a running call and answers `false`.)
   * - already cancelled: `true`; finished otherwise: `false`, nothing happens.
   */
  readonly cancel: Effect.Effect<boolean>
  /** `true` once finished or cancelled. */
  readonly done: Effect.Effect<boolean>
  /** `true` only while the work holds a worker slot (not while queued, not once done). */
  readonly running: Effect.Effect<boolean>
  readonly cancelled: Effect.Effect<boolean>
  /** `None` while not done, else how it ended. */
  readonly poll: Effect.Effect<Option.Option<Exit.Exit<A, E | CancelledError>>>
  readonly timings: Effect.Effect<Timings>
  /**
   * Calls `callback` with this future once it is done (at once if it already is), in the order the
   * callbacks were added. A callback that throws is logged (`Effect.logError` on the executor's runtime)
   * and affects neither the future nor the other callbacks.
   */
  addDoneCallback(callback: (future: Future<A, E>) => void): Effect.Effect<void>

  unsafeDone(): boolean
  unsafeRunning(): boolean
  unsafeCancelled(): boolean
  unsafeState(): State
  unsafePoll(): Option.Option<Exit.Exit<A, E | CancelledError>>
  unsafeTimings(): Timings
  /** `cancel`, synchronously. */
  unsafeCancel(): boolean
  /** `addDoneCallback`, synchronously. */
  unsafeAddDoneCallback(callback: (future: Future<A, E>) => void): void
  /**
   * Low-level: calls `observer` with the exit once done (at once if done). Returns a function that
   * removes the observer. The observer must not throw.
   */
  unsafeAddObserver(observer: (exit: Exit.Exit<A, E | CancelledError>) => void): () => void
}

/**
 * Keeps a future a `Future` when Effect unifies a union of effects (as `FiberUnify` does for fibers).
 *
 * @since 0.1.0
 * @category models
 */
export interface FutureUnify<A extends { [Unify.typeSymbol]?: unknown }> extends Effect.EffectUnify<A> {
  Future?: () => A[Unify.typeSymbol] extends Future<infer A0, infer E0> | infer _ ? Future<A0, E0> : never
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FutureUnifyIgnore extends Effect.EffectUnifyIgnore {
  Effect?: true
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Variance<out A, out E> {
  readonly _A: Types.Covariant<A>
  readonly _E: Types.Covariant<E>
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isFuture: (u: unknown) => u is Future<unknown, unknown> = internal.isFuture

/**
 * `future.result(options)`, pipeable: `future.pipe(Future.result({ timeout: "1 second" }))`.
 *
 * @since 0.1.0
 * @category getters
 */
export const result: {
  (options?: ResultOptions): <A, E>(self: Future<A, E>) => Effect.Effect<A, E | CancelledError | FutureTimeout>
  <A, E>(self: Future<A, E>, options?: ResultOptions): Effect.Effect<A, E | CancelledError | FutureTimeout>
} = internal.result

/**
 * `future.exception(options)`, pipeable.
 *
 * @since 0.1.0
 * @category getters
 */
export const exception: {
  (options?: ResultOptions): <A, E>(
    self: Future<A, E>
  ) => Effect.Effect<Option.Option<E>, CancelledError | FutureTimeout>
  <A, E>(self: Future<A, E>, options?: ResultOptions): Effect.Effect<Option.Option<E>, CancelledError | FutureTimeout>
} = internal.exception

const _await = <A, E>(self: Future<A, E>): Effect.Effect<Exit.Exit<A, E | CancelledError>> => self.await

export {
  /**
   * `future.await`: waits until done, returns the exit.
   *
   * @since 0.1.0
   * @category getters
   */
  _await as await
}

/**
 * `future.cancel`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const cancel = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => self.cancel

/**
 * `future.done`.
 *
 * @since 0.1.0
 * @category getters
 */
export const done = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => self.done

/**
 * `future.running`.
 *
 * @since 0.1.0
 * @category getters
 */
export const running = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => self.running

/**
 * `future.cancelled`.
 *
 * @since 0.1.0
 * @category getters
 */
export const cancelled = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => self.cancelled

/**
 * `future.addDoneCallback(callback)`, pipeable.
 *
 * @since 0.1.0
 * @category combinators
 */
export const addDoneCallback: {
  <A, E>(callback: (future: Future<A, E>) => void): (self: Future<A, E>) => Effect.Effect<void>
  <A, E>(self: Future<A, E>, callback: (future: Future<A, E>) => void): Effect.Effect<void>
} = internal.addDoneCallback

/**
 * @since 0.1.0
 * @category models
 */
export interface AsCompletedOptions {
  /** A total timeout, counted from when the stream starts: then the stream fails with `FutureTimeout`. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The futures in the order they complete (Python's `as_completed`): those already done first (in the
 * given order), then each as it finishes or is cancelled. Duplicates are emitted once. With `timeout`, the
 * stream fails with `FutureTimeout` if not all are done in time (the work goes on). Ending the stream early
 * stops the waiting, not the work.
 *
 * @since 0.1.0
 * @category combinators
 */
export const asCompleted: <A, E>(
  futures: Iterable<Future<A, E>>,
  options?: AsCompletedOptions
) => Stream.Stream<Future<A, E>, FutureTimeout> = internal.asCompleted

/**
 * When `Future.wait` returns (Python's `return_when`):
 * - `"FIRST_COMPLETED"`: when any future is done (finished or cancelled).
 * - `"FIRST_EXCEPTION"`: when any future finishes by failing (a typed failure or a defect; a cancelled
 *   future is done but is no exception), or when all are done.
 * - `"ALL_COMPLETED"`: when all are done.
 *
 * @since 0.1.0
 * @category models
 */
export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED"

/**
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** Default `"ALL_COMPLETED"`. */
  readonly returnWhen?: ReturnWhen | undefined
  /** Return what is done by then; no error on timeout (as Python's `wait`). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WaitResult<A, E> {
  readonly done: ReadonlySet<Future<A, E>>
  readonly notDone: ReadonlySet<Future<A, E>>
}

/**
 * Waits for the futures (Python's `concurrent.futures.wait`) and splits them into `done` and `notDone`,
 * as they are when it returns. Never fails; a timeout just returns early. The work is never affected.
 *
 * @since 0.1.0
 * @category combinators
 */
export const wait: <A, E>(futures: Iterable<Future<A, E>>, options?: WaitOptions) => Effect.Effect<WaitResult<A, E>> =
  internal.wait
