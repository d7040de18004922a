/**
 * An `Executor` is a bounded scheduler for effects: Python's `concurrent.futures` executor (requests-futures
 * uses a `ThreadPoolExecutor` with 2 workers). At most `maxWorkers` submitted effects run at once; the others
 * wait in a FIFO queue, in submission order. `submit` returns a `Future` at once, before the work starts.
 *
 * Queued work costs a small record in a linked list and no fiber: a fiber is started (on the runtime the
 * executor was made in, not as a child of the submitter) only when a worker slot frees. An executor keeps
 * no per-caller state and can be shared by any number of sessions: the bound is global to it.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@requests-futures/core"
 *
 * Effect.gen(function*() {
 *   const executor = yield* Executor.make({ maxWorkers: 2 })
 *   const future = yield* executor.submit(Effect.succeed(42))
 *   return yield* future.result({ timeout: "5 seconds" })
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Future from "./Future.js"
import type * as Retry from "./Retry.js"
import type * as Task from "./Task.js"
import type { CancelledError, ExecutorShutdown, FutureTimeout, InvalidMaxWorkers, QueueFull } from "./FutureErrors.js"
import * as internal from "./internal/executor.js"

/**
 * @since 0.1.0
 * @category errors
 */
export { ExecutorShutdown, InvalidMaxWorkers, QueueFull } from "./FutureErrors.js"

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
 * The number of workers when `maxWorkers` is not given: 2, as requests-futures.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxWorkers: number = internal.defaultMaxWorkers

/**
 * What the work of a future learns when it starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkInfo {
  readonly futureId: number
  /** `performance.now()` at submit. */
  readonly submittedAt: number
  /** `performance.now()` when it got a worker slot. */
  readonly startedAt: number
  /** `startedAt - submittedAt`: how long it waited in the queue. */
  readonly queuedMs: number
  /**
   * Waits `delayMs` (on the work's `Clock`) holding no slot, then waits in its queue again (in front of
   * its priority) until a slot (and its host's slot and rate) is free: how a retry backs off without
   * keeping a worker busy. Interrupting it leaves the queue.
   */
  readonly backoff: Retry.Backoff
  /** Feedback on an attempt, for its host's adaptive limit (see `Options.adaptive`). */
  readonly signal: (signal: HostSignal) => void
  /**
   * Keeps this future's worker (and host) slot after its work succeeds, until the returned function is
   * called (idempotent): how a streamed response holds its slot until its body is read or closed, so
   * `maxWorkers` bounds real transfers. A failure or a cancel frees the slot as usual.
   */
  readonly retainSlot: () => () => void
}

/**
 * What an attempt tells its host's adaptive limit: it went well, the server asked to slow down (429,
 * or 503 with `Retry-After`), or the connection was reset.
 *
 * @since 0.2.0
 * @category models
 */
export type HostSignal =
  | { readonly _tag: "Ok" }
  | { readonly _tag: "Throttled"; readonly retryAfterMs: number | undefined }
  | { readonly _tag: "Reset" }

/**
 * At most `limit` starts in any window of `interval`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RateLimit {
  readonly limit: number
  readonly interval: Duration.DurationInput
}

/**
 * The limits of one host (an origin such as `https://api.example.com`).
 *
 * @since 0.2.0
 * @category models
 */
export interface HostLimits {
  /** Requests to the host at once (besides the executor's `maxWorkers`). */
  readonly maxWorkers?: number | undefined
  readonly rate?: RateLimit | undefined
}

/**
 * The same limits for every host, or a function of the host's key (its origin) for overrides.
 *
 * @since 0.2.0
 * @category models
 */
export type PerHost = HostLimits | ((host: string) => HostLimits | undefined)

/**
 * What `submit` does when `maxQueued` futures are queued already:
 * - `"wait"`: `submit` suspends until there is room (backpressure); `unsafeSubmit` returns the future
 *   at once, and it is admitted to the queue in order;
 * - `"reject"`: `submit` fails with `QueueFull` at once;
 * - `"dropOldest"`: the oldest queued future is cancelled (reason `"dropped"`) to make room.
 *
 * @since 0.2.0
 * @category models
 */
export type OnFull = "wait" | "reject" | "dropOldest"

/**
 * How one piece of work is scheduled.
 *
 * @since 0.2.0
 * @category models
 */
export interface SubmitOptions<E2 = never> {
  /** The queue it waits in: its host's (an origin), with that host's limits. None: no host limit. */
  readonly key?: string | undefined
  /** Higher first; FIFO within a priority. Default 0. */
  readonly priority?: number | undefined
  /**
   * ms from submit to done, queue time included: past it, the work is stopped (its socket closed) and
   * the future fails with `onExpire(phase)`, the phase it was in.
   */
  readonly deadline?:
    | { readonly ms: number; readonly onExpire: (phase: "queued" | "running" | "backoff") => E2 }
    | undefined
}

/**
 * Live counters of one host's queue.
 *
 * @since 0.2.0
 * @category models
 */
export interface HostStats {
  readonly host: string
  readonly running: number
  readonly queued: number
  /** The limit in force (lower than `maxWorkers` after a 429 when adaptive). */
  readonly limit: number
  readonly maxWorkers: number
  /** `Date`-free: the executor's Clock time (ms) until which the host is paused, if it is. */
  readonly pausedUntil: number | undefined
  /** Starts its rate limit allows right now, if it has one. */
  readonly rateTokens: number | undefined
}

/**
 * Work to submit: an effect or a `Task`, or a function that builds one when a worker slot is free and
 * receives its queue time (a FuturesSession puts `queuedMs` on the response). If the function throws,
 * the future dies with that defect. Services must be provided beforehand (`R = never`).
 *
 * An effect runs on a fiber of its own. A task runs without one: the slot is held until it resumes,
 * and only an effect it hands over gets a fiber (see `Task`); cancelling the future aborts the task.
 *
 * @since 0.1.0
 * @category models
 */
export type Work<A, E> =
  | Effect.Effect<A, E>
  | Task.Task<A, E>
  | ((info: WorkInfo) => Effect.Effect<A, E> | Task.Task<A, E>)

/**
 * Live counters. `submitted = waiting + queued + backingOff + running + completed + failed + cancelled`
 * at all times.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly maxWorkers: number
  /**
   * Worker slots lent right now by workers that wait on queued futures of this executor (managed
   * blocking): up to `maxWorkers + lent` futures run at once.
   */
  readonly lent: number
  /** Futures holding a worker slot. */
  readonly running: number
  /** Futures waiting for a slot. */
  readonly queued: number
  /** Futures submitted while the queue was full (`onFull: "wait"`), not admitted yet. */
  readonly waiting: number
  /** Futures whose work backs off between attempts, holding no slot. */
  readonly backingOff: number
  /** Slots kept by finished futures whose streamed body is still being read (`WorkInfo.retainSlot`). */
  readonly retained: number
  readonly submitted: number
  /** Futures finished with a value. */
  readonly completed: number
  /** Futures finished with a typed failure or a defect. */
  readonly failed: number
  /** Futures cancelled, while queued or while running. */
  readonly cancelled: number
  readonly isShutdown: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ShutdownOptions {
  /**
   * Default `true`: wait until every future is done and every worker fiber has exited (including the
   * finalizers of interrupted ones). With `false`, return at once; the accepted work still runs.
   */
  readonly wait?: boolean | undefined
  /** Default `false`: cancel the queued futures (they never run); running ones go on. */
  readonly cancelFutures?: boolean | undefined
  /**
   * Default `false`: also cancel the running futures, interrupting their work (implies `cancelFutures`).
   * Not in Python, which cannot stop a running call; this is what closing an executor's scope does.
   */
  readonly interruptRunning?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MapOptions {
  /**
   * A total timeout for all results: then `map` fails with `FutureTimeout` and cancels the unfinished work.
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Executor extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  readonly maxWorkers: number

  /**
   * Queues the work and returns its future at once, before the work starts. Fails with `ExecutorShutdown`
   * after `shutdown`.
   */
  submit<A, E, E2 = never>(
    work: Work<A, E>,
    options?: SubmitOptions<E2>
  ): Effect.Effect<Future.Future<A, E | E2>, ExecutorShutdown | QueueFull>
  /**
   * Python's `executor.map`: submits `f(item, index)` for every item at once, then returns the results in
   * input order (at most `maxWorkers` in flight). Fails with the first failure in input order (a defect is
   * re-raised), and then, or when interrupted or timed out, cancels every future it submitted that is not
   * done. `CancelledError` when one of its futures was cancelled by a shutdown.
   */
  map<I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: MapOptions
  ): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout>
  /**
   * `map` as a stream: submits all when the stream starts, emits the results in input order, and cancels
   * the futures not done when the stream ends early or fails.
   */
  mapStream<I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>
  ): Stream.Stream<A, E | ExecutorShutdown | CancelledError>
  /**
   * Python's `shutdown(wait=True, cancel_futures=False)`: from now on `submit` fails with
   * `ExecutorShutdown`; see {@link ShutdownOptions}. Idempotent.
   */
  shutdown(options?: ShutdownOptions): Effect.Effect<void>
  readonly stats: Effect.Effect<Stats>
  readonly isShutdown: Effect.Effect<boolean>

  /** `submit`, synchronously, for code outside Effect (with `onFull: "wait"`, the future waits to be admitted). */
  unsafeSubmit<A, E, E2 = never>(
    work: Work<A, E>,
    options?: SubmitOptions<E2>
  ): Either.Either<Future.Future<A, E | E2>, ExecutorShutdown | QueueFull>
  /** `shutdown` without waiting, synchronously. */
  unsafeShutdown(options?: Omit<ShutdownOptions, "wait">): void
  unsafeStats(): Stats
  /** Per host: running, queued, limit, pause, rate tokens (hosts seen so far). */
  unsafeHostStats(): ReadonlyArray<HostStats>
  /** Whether work is scheduled per host (`perHost` or `adaptive`): a FuturesSession then keys its requests. */
  readonly keyed: boolean
  /**
   * Managed blocking, for a worker of this executor that waits on `future` outside Effect (a Promise):
   * when `future` is one of this executor's queued futures, one worker slot is lent (one more future
   * runs at once) until the returned function is called; else nothing happens. Call it when the wait
   * ends. Effect code needs none of this: waiting on a future (`yield*`, `result`, `await`) in work of
   * the same executor lends the slot by itself.
   */
  unsafeManagedWait(future: Future.Future<unknown, unknown>): () => void
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** A positive integer; default 2 ({@link defaultMaxWorkers}). */
  readonly maxWorkers?: number | undefined
  /** Limits per host, for work submitted with a `key` (a FuturesSession's: the request's origin). */
  readonly perHost?: PerHost | undefined
  /**
   * Adaptive per host: a 429 (or a 503 with `Retry-After`) or a connection reset halves the host's
   * limit (not below 1) and pauses it until `Retry-After`; a run of successes grows it back by one,
   * up to its `maxWorkers` (AIMD). Default false.
   */
  readonly adaptive?: boolean | undefined
  /** The most futures queued at once (default: no bound); see `onFull`. */
  readonly maxQueued?: number | undefined
  /** Default `"wait"`. */
  readonly onFull?: OnFull | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UnsafeOptions extends Options {
  /** The runtime the work runs on (its services, logger, scheduler...); default `Runtime.defaultRuntime`. */
  readonly runtime?: Runtime.Runtime<never> | undefined
}

/**
 * Makes an executor whose work runs on the current runtime. Closing the scope shuts it down with
 * `{ wait: true, cancelFutures: true, interruptRunning: true }`: queued futures are cancelled, running ones
 * are interrupted (and cancelled), and the scope close waits until their fibers have exited (finalizers
 * run). A stuck request therefore cannot hang the scope close — its fiber is interrupted — unless its own
 * finalizer hangs. For Python's gentler `shutdown(wait=True)`, call `executor.shutdown()` before closing.
 *
 * Fails with `InvalidMaxWorkers` unless `maxWorkers` is a positive integer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Executor, InvalidMaxWorkers, Scope.Scope> = internal.make

/**
 * The executor service: provide one (`Executor.layer`) and every `FuturesSession` built from the context
 * shares its bound.
 *
 * @since 0.2.0
 * @category tags
 */
export const Executor: Context.Tag<Executor, Executor> = internal.ExecutorTag

/**
 * An executor as a layer, shut down (queued futures cancelled, running ones interrupted) when the layer's
 * scope closes. Two `FuturesSession.layer`s built over one `Executor.layer` share its `maxWorkers`.
 *
 * ```ts
 * const Shared = Executor.layer({ maxWorkers: 2 })
 * const program = Effect.gen(function*() {
 *   const session = yield* FuturesSession.make()   // uses the Executor in context
 * }).pipe(Effect.scoped, Effect.provide(Shared))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Executor, InvalidMaxWorkers> =>
  Layer.scoped(Executor, internal.make(options))

/**
 * Makes an executor without a scope, synchronously (for class constructors outside Effect): the caller
 * owns it and must call `shutdown` / `unsafeShutdown`. Returns `Left(InvalidMaxWorkers)` instead of
 * throwing; `Either.getOrThrow` it where throwing is wanted.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake: (options?: UnsafeOptions) => Either.Either<Executor, InvalidMaxWorkers> =
  internal.unsafeMake

/**
 * @since 0.1.0
 * @category guards
 */
export const isExecutor: (u: unknown) => u is Executor = internal.isExecutor

/**
 * `executor.submit(work)`, pipeable from the work: `Session.request(...).pipe(Executor.submit(executor))`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const submit: {
  (executor: Executor): <A, E>(work: Work<A, E>) => Effect.Effect<Future.Future<A, E>, ExecutorShutdown | QueueFull>
  <A, E>(executor: Executor, work: Work<A, E>): Effect.Effect<Future.Future<A, E>, ExecutorShutdown | QueueFull>
} = internal.submit

/**
 * `executor.map(items, f, options)`, pipeable from the executor.
 *
 * @since 0.1.0
 * @category combinators
 */
export const map: {
  <I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: MapOptions
  ): (self: Executor) => Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout>
  <I, A, E>(
    self: Executor,
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: MapOptions
  ): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout>
} = internal.map

/**
 * `executor.mapStream(items, f)`, pipeable from the executor.
 *
 * @since 0.1.0
 * @category combinators
 */
export const mapStream: {
  <I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>
  ): (self: Executor) => Stream.Stream<A, E | ExecutorShutdown | CancelledError>
  <I, A, E>(
    self: Executor,
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>
  ): Stream.Stream<A, E | ExecutorShutdown | CancelledError>
} = internal.mapStream

/**
 * `executor.shutdown(options)`, pipeable.
 *
 * @since 0.1.0
 * @category combinators
 */
export const shutdown: {
  (options?: ShutdownOptions): (self: Executor) => Effect.Effect<void>
  (self: Executor, options?: ShutdownOptions): Effect.Effect<void>
} = internal.shutdown

/**
 * `executor.stats`.
 *
 * @since 0.1.0
 * @category getters
 */
export const stats = (self: Executor): Effect.Effect<Stats> => self.stats
