import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import type * as Fiber from "effect/Fiber"
import type * as FiberRefs from "effect/FiberRefs"
import { dual, identity } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import type * as Executor from "../Executor.js"
import type * as Future from "../Future.js"
import { CancelledError, type CancelReason, FutureTimeout } from "../FutureErrors.js"
import type { Host } from "./scheduler.js"

/** @internal */
export const TypeId: Future.TypeId = Symbol.for("@requests-futures/core/Future") as Future.TypeId

/** @internal */
export const PENDING = 0
/** @internal */
export const RUNNING = 1
/** @internal */
export const FINISHED = 2
/** @internal Submitted while the queue was full (`onFull: "wait"`): not queued yet, admitted in order. */
export const WAITING = 3
/** @internal Its work backs off (a retry's delay) holding no slot; then it is queued again. */
export const BACKOFF = 4

/** @internal */
export type Status = typeof PENDING | typeof RUNNING | typeof FINISHED | typeof WAITING | typeof BACKOFF

/**
 * What a future needs from the executor that owns it.
 *
 * @internal
 */
export interface FutureOwner {
  /**
   * Cancels a pending or running future; returns `Future.cancel`'s answer. `cause`: the signal's reason,
   * for the reason `"signal"`.
   */
  readonly cancel: <A, E>(future: FutureImpl<A, E>, reason: CancelReason, cause?: unknown) => boolean
  /** Reports a done-callback that threw. */
  readonly reportCallbackError: (future: Future.Future<unknown, unknown>, error: unknown) => void
  /** Lends one worker slot (the executor runs one more future at once) until the returned function is called. */
  readonly lendSlot: () => () => void
}

/**
 * The executor whose work the current fiber runs (set in the executor's runtime, and on the refs of
 * work submitted from a fiber), so that a wait on one of its queued futures lends the waiter's slot.
 *
 * @internal
 */
export const currentWorkerOf: FiberRef.FiberRef<FutureOwner | undefined> = globalValue(
  Symbol.for("@requests-futures/core/Executor/currentWorkerOf"),
  () => FiberRef.unsafeMake<FutureOwner | undefined>(undefined)
)

/** @internal */
export type Observer<A, E> = (exit: Exit.Exit<A, E | CancelledError>) => void

/**
 * A fiber suspended in `yield* future` (see `FutureImpl.commit`): resumed when the future settles. Kept
 * with the observers, so callbacks and waiters are told in the order they came.
 */
interface Waiter<A, E> {
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  /** This wait in `latestWait`: an empty object, so that the map holds nothing of the wait (see there). */
  readonly token: object
  /** Resumes with the exit itself (`result`) or with it as a value (`await`). */
  readonly resume: (exit: Exit.Exit<A, E | CancelledError>) => void
}

/**
 * The token of the wait each fiber registered last. A fiber is suspended in at most one wait, so an
 * older waiter of the same fiber, or one of a fiber that has ended, belongs to a wait that was
 * interrupted: it is stale. Only the token is kept: a waiter's `resume` reaches the future, and with
 * it the response, which must stay collectable once the fiber has it.
 */
const latestWait = globalValue(
  Symbol.for("@requests-futures/core/Future/latestWait"),
  () => new WeakMap<Fiber.RuntimeFiber<unknown, unknown>, object>()
)

const isStale = (waiter: Waiter<unknown, unknown>): boolean =>
  latestWait.get(waiter.fiber) !== waiter.token || waiter.fiber.unsafePoll() !== null

const variance = { _A: identity, _E: identity }

let nextId = 0

/**
 * A future is a small mutable record and a node of its executor's lists (`prev` / `next`): pending,
 * then running; so it is unlinked in O(1) when cancelled and no fiber exists for it until a worker
 * slot frees. Observers are allocated only when someone waits.
 *
 * It is an `Effect` as Effect's own `Deferred` and `Fiber` are: `Effectable.Class` puts Effect's
 * prototype (type ids, `[Symbol.iterator]` for `yield*`, `pipe`, identity `Equal` / `Hash`) under this
 * class's, and the runtime evaluates the future by calling `commit()`. Nothing is added per future.
 *
 * @internal
 */
export class FutureImpl<A, E> extends Effectable.Class<A, E | CancelledError> implements Future.Future<A, E> {
  declare readonly [TypeId]: Future.Variance<A, E>

  readonly id: number = ++nextId
  status: Status = PENDING
  /** The work, until it starts. */
  work: Executor.Work<A, E> | undefined
  /** Cancels the running work (aborts its task or interrupts its fiber), once it started. */
  cancelRun: (() => void) | undefined = undefined
  /** Set when the work finished by itself (success, failure or defect). */
  exit: Exit.Exit<A, E> | undefined = undefined
  /** Set when the future was cancelled (the `CancelledError` itself is built on demand: an Error is costly). */
  cancelReason: CancelReason | undefined = undefined
  cancelledWhileRunning = false
  private cancelError: CancelledError | undefined = undefined
  /** Called once when done, in the order added (an array: most futures have one, and a Set costs more). */
  observers: Array<Observer<A, E> | Waiter<A, E>> | undefined = undefined
  /** Links in the executor's list of pending futures, then of running ones. */
  prev: FutureImpl<unknown, unknown> | undefined = undefined
  next: FutureImpl<unknown, unknown> | undefined = undefined
  readonly submittedAt: number
  /** The submitting fiber's refs (its context, span, log annotations), when submitted from a fiber. */
  caller: FiberRefs.FiberRefs | undefined = undefined
  /** The queue it waits in (its host's), and its place there: higher first. */
  host!: Host
  priority = 0
  startedAt: number | undefined = undefined
  finishedAt: number | undefined = undefined

  constructor(readonly owner: FutureOwner, work: Executor.Work<A, E>, submittedAt: number) {
    super()
    this.work = work
    this.submittedAt = submittedAt
  }

  // ---------------------------------------------------------------------------------------------
  // synchronous readers

  unsafeDone(): boolean {
    return this.status === FINISHED
  }

  unsafeRunning(): boolean {
    return this.status === RUNNING
  }

  unsafeCancelled(): boolean {
    return this.cancelReason !== undefined
  }

  unsafeState(): Future.State {
    // Waiting to be admitted, or backing off between attempts (holding no slot), is waiting still.
    return this.status === RUNNING
      ? "running"
      : this.status !== FINISHED
      ? "pending"
      : this.cancelReason !== undefined
      ? "cancelled"
      : "finished"
  }

  unsafePoll(): Option.Option<Exit.Exit<A, E | CancelledError>> {
    const exit = this.publicExit()
    return exit === undefined ? Option.none() : Option.some(exit)
  }

  unsafeTimings(): Future.Timings {
    return {
      submittedAt: this.submittedAt,
      startedAt: Option.fromNullable(this.startedAt),
      finishedAt: Option.fromNullable(this.finishedAt)
    }
  }

  unsafeCancel(): boolean {
    return this.owner.cancel(this, "cancel")
  }

  unsafeAddObserver(observer: Observer<A, E>): () => void {
    const exit = this.publicExit()
    if (exit !== undefined) {
      observer(exit)
      return constVoid
    }
    ;(this.observers ??= []).push(observer)
    return () => {
      // the same function added twice is two identical entries: removing either is the same
      const i = this.observers?.indexOf(observer) ?? -1
      if (i !== -1) this.observers!.splice(i, 1)
    }
  }

  unsafeAddDoneCallback(callback: (future: Future.Future<A, E>) => void): void {
    if (this.status === FINISHED) {
      this.runCallback(callback)
      return
    }
    ;(this.observers ??= []).push(() => this.runCallback(callback))
  }

  // ---------------------------------------------------------------------------------------------
  // effectful API

  get await(): Effect.Effect<Exit.Exit<A, E | CancelledError>> {
    return Effect.suspend(() => {
      const exit = this.publicExit()
      if (exit !== undefined) return Effect.succeed(exit)
      return this.wait<Exit.Exit<A, E | CancelledError>, never>((exit) => Exit.succeed(exit))
    })
  }

  /** What `yield* future` runs: `result()` without a timeout. The runtime calls it each time it runs the future. */
  commit(): Effect.Effect<A, E | CancelledError> {
    // A future never un-finishes: once done, its exit is the answer (an Exit is an Effect).
    return this.publicExit() ?? this.wait<A, E | CancelledError>(identity)
  }

  /**
   * Suspends the fiber until the future settles. The wait registers no canceler: Effect runs a canceler
   * in an uninterruptible region around every wait, which doubled what the garbage collector promotes
   * per request for a fiber that awaits thousands of futures in turn. An interrupted wait leaves its
   * waiter behind instead; resuming it does nothing, and stale waiters are pruned as the list grows,
   * so what a future holds is bounded by the fibers that wait on it, not by how often they are interrupted.
   *
   * Managed blocking (as Java's ForkJoinPool): a fiber running work of this future's executor that
   * waits on it while it is queued lends its slot for the wait, so the future can run even when every
   * worker waits on futures behind them (else `maxWorkers` waiting workers would hang for ever).
   */
  private wait<X, Y>(f: (exit: Exit.Exit<A, E | CancelledError>) => Exit.Exit<X, Y>): Effect.Effect<X, Y> {
    return Effect.withFiberRuntime<X, Y>((fiber) => {
      const suspended = Effect.async<X, Y>((resume) => {
        const exit = this.publicExit()
        if (exit !== undefined) return resume(f(exit))
        const waiter: Waiter<A, E> = {
          fiber: fiber as Fiber.RuntimeFiber<unknown, unknown>,
          token: {},
          // `result` resumes with the exit as it is: no closure per wait for the common case.
          resume: f === identity ? resume as unknown as Waiter<A, E>["resume"] : (exit) => resume(f(exit))
        }
        latestWait.set(waiter.fiber, waiter.token)
        const observers = this.observers ??= []
        // At 16, 32, 64... entries (amortized O(1), and no field per future for a threshold).
        const n = observers.length
        if (n >= 16 && (n & (n - 1)) === 0) {
          this.observers = observers.filter((o) => typeof o === "function" || !isStale(o as Waiter<unknown, unknown>))
        }
        this.observers.push(waiter)
      })
      return this.status === PENDING && fiber.getFiberRef(currentWorkerOf) === this.owner
        ? Effect.acquireUseRelease(
          Effect.sync(() => this.owner.lendSlot()),
          () => suspended,
          (release) => Effect.sync(release)
        )
        : suspended
    })
  }

  result(options?: Future.ResultOptions): Effect.Effect<A, E | CancelledError | FutureTimeout> {
    if (options?.timeout !== undefined) return Effect.flatten(this.awaitWithin("result", options))
    return this.commit()
  }

  exception(options?: Future.ResultOptions): Effect.Effect<Option.Option<E>, CancelledError | FutureTimeout> {
    return Effect.flatMap(this.awaitWithin("exception", options), () => {
      const cancellation = this.cancellation()
      if (cancellation !== undefined) return Effect.fail(cancellation)
      const exit = this.exit as Exit.Exit<A, E>
      if (Exit.isSuccess(exit)) return Effect.succeedNone
      return Either.match(Cause.failureOrCause(exit.cause), {
        onLeft: (error) => Effect.succeed(Option.some(error)),
        // a defect is no exception of type E: it propagates as a defect
        onRight: (cause) => Effect.failCause(cause)
      })
    })
  }

  get cancel(): Effect.Effect<boolean> {
    return Effect.sync(() => this.unsafeCancel())
  }

  get done(): Effect.Effect<boolean> {
    return Effect.sync(() => this.unsafeDone())
  }

  get running(): Effect.Effect<boolean> {
    return Effect.sync(() => this.unsafeRunning())
  }

  get cancelled(): Effect.Effect<boolean> {
    return Effect.sync(() => this.unsafeCancelled())
  }

  get poll(): Effect.Effect<Option.Option<Exit.Exit<A, E | CancelledError>>> {
    return Effect.sync(() => this.unsafePoll())
  }

  get timings(): Effect.Effect<Future.Timings> {
    return Effect.sync(() => this.unsafeTimings())
  }

  addDoneCallback(callback: (future: Future.Future<A, E>) => void): Effect.Effect<void> {
    return Effect.sync(() => this.unsafeAddDoneCallback(callback))
  }

  // ---------------------------------------------------------------------------------------------
  // Inspectable (`pipe` comes with Effect's prototype)

  toJSON(): unknown {
    return { _id: "Future", id: this.id, state: this.unsafeState() }
  }

  override toString(): string {
    return Inspectable.format(this.toJSON())
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }

  // ---------------------------------------------------------------------------------------------
  // internals

  /** The exit seen by users, `undefined` while not done. */
  publicExit(): Exit.Exit<A, E | CancelledError> | undefined {
    const cancellation = this.cancellation()
    return cancellation !== undefined ? Exit.fail(cancellation) : this.exit
  }

  cancellation(): CancelledError | undefined {
    if (this.cancelReason === undefined) return undefined
    return this.cancelError ??= new CancelledError({
      futureId: this.id,
      reason: this.cancelReason,
      wasRunning: this.cancelledWhileRunning
    })
  }

  /** Called once by the owner when the work finished by itself. */
  finish(exit: Exit.Exit<A, E>): void {
    this.exit = exit
    this.settle()
  }

  /** Called once by the owner when the future is cancelled (`cause`: what cancelled it, a signal's reason). */
  finishCancelled(reason: CancelReason, wasRunning: boolean, cause?: unknown): void {
    this.cancelReason = reason
    this.cancelledWhileRunning = wasRunning
    // Rare (a signal): the error is made now, as the cause has no field of its own.
    if (cause !== undefined) {
      this.cancelError = new CancelledError({ futureId: this.id, reason, wasRunning, cause })
    }
    this.settle()
  }

  /** Records the end and notifies observers and done-callbacks, in order. */
  private settle(): void {
    this.status = FINISHED
    this.finishedAt = performance.now()
    this.work = undefined
    this.cancelRun = undefined
    const observers = this.observers
    if (observers === undefined) return
    this.observers = undefined
    const publicExit = this.publicExit() as Exit.Exit<A, E | CancelledError>
    for (const observer of observers) {
      try {
        if (typeof observer === "function") observer(publicExit)
        else observer.resume(publicExit)
      } catch (error) {
        this.owner.reportCallbackError(this, error)
      }
    }
  }

  private runCallback(callback: (future: Future.Future<A, E>) => void): void {
    try {
      callback(this)
    } catch (error) {
      this.owner.reportCallbackError(this, error)
    }
  }

  private awaitWithin(
    operation: "result" | "exception",
    options: Future.ResultOptions | undefined
  ): Effect.Effect<Exit.Exit<A, E | CancelledError>, FutureTimeout> {
    if (options?.timeout === undefined) return this.await
    const timeout = Duration.decode(options.timeout)
    const cancelOnTimeout = options.cancelOnTimeout === true
    return Effect.flatMap(Effect.timeoutOption(this.await, timeout), (exit) => {
      if (Option.isSome(exit)) return Effect.succeed(exit.value)
      // it may have finished in the meantime
      const late = this.publicExit()
      if (late !== undefined) return Effect.succeed(late)
      if (cancelOnTimeout) this.owner.cancel(this, "timeout")
      return Effect.fail(
        new FutureTimeout({ operation, timeout, unfinished: 1, futureId: this.id, cancelled: cancelOnTimeout })
      )
    })
  }
}

Object.defineProperty(FutureImpl.prototype, TypeId, { value: variance })

const constVoid = (): void => {}

// -----------------------------------------------------------------------------------------------
// module functions

/** @internal */
export const isFuture = (u: unknown): u is Future.Future<unknown, unknown> => Predicate.hasProperty(u, TypeId)

/** @internal */
export const result: {
  (options?: Future.ResultOptions): <A, E>(self: Future.Future<A, E>) => Effect.Effect<A, E | CancelledError | FutureTimeout>
  <A, E>(self: Future.Future<A, E>, options?: Future.ResultOptions): Effect.Effect<A, E | CancelledError | FutureTimeout>
} = dual(
  (args) => isFuture(args[0]),
  <A, E>(self: Future.Future<A, E>, options?: Future.ResultOptions) => self.result(options)
)

/** @internal */
export const exception: {
  (options?: Future.ResultOptions): <A, E>(
    self: Future.Future<A, E>
  ) => Effect.Effect<Option.Option<E>, CancelledError | FutureTimeout>
  <A, E>(
    self: Future.Future<A, E>,
    options?: Future.ResultOptions
  ): Effect.Effect<Option.Option<E>, CancelledError | FutureTimeout>
} = dual(
  (args) => isFuture(args[0]),
  <A, E>(self: Future.Future<A, E>, options?: Future.ResultOptions) => self.exception(options)
)

/** @internal */
export const addDoneCallback: {
  <A, E>(callback: (future: Future.Future<A, E>) => void): (self: Future.Future<A, E>) => Effect.Effect<void>
  <A, E>(self: Future.Future<A, E>, callback: (future: Future.Future<A, E>) => void): Effect.Effect<void>
} = dual(
  2,
  <A, E>(self: Future.Future<A, E>, callback: (future: Future.Future<A, E>) => void) => self.addDoneCallback(callback)
)

const uniqueFutures = <A, E>(futures: Iterable<Future.Future<A, E>>): ReadonlyArray<Future.Future<A, E>> =>
  Array.from(new Set(futures))

/** @internal */
export const asCompleted = <A, E>(
  futures: Iterable<Future.Future<A, E>>,
  options?: Future.AsCompletedOptions
): Stream.Stream<Future.Future<A, E>, FutureTimeout> =>
  Stream.asyncPush<Future.Future<A, E>, FutureTimeout>(
    (emit) =>
      Effect.gen(function*() {
        const all = uniqueFutures(futures)
        let unfinished = all.length
        if (unfinished === 0) {
          emit.end()
          return
        }
        const removers: Array<() => void> = []
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            for (const remove of removers) remove()
          })
        )
        // already-done futures call back at once, in iteration order: they come first
        for (const future of all) {
          removers.push(future.unsafeAddObserver(() => {
            emit.single(future)
            if (--unfinished === 0) emit.end()
          }))
        }
        if (unfinished > 0 && options?.timeout !== undefined) {
          const timeout = Duration.decode(options.timeout)
          yield* Effect.forkScoped(Effect.sleep(timeout).pipe(
            Effect.andThen(Effect.sync(() => {
              if (unfinished > 0) {
                emit.fail(new FutureTimeout({ operation: "asCompleted", timeout, unfinished, cancelled: false }))
              }
            }))
          ))
        }
      }),
    { bufferSize: "unbounded" }
  )

const isException = (future: Future.Future<unknown, unknown>): boolean => {
  if (future.unsafeCancelled()) return false
  const exit = future.unsafePoll()
  return Option.isSome(exit) && Exit.isFailure(exit.value)
}

/** @internal */
export const wait = <A, E>(
  futures: Iterable<Future.Future<A, E>>,
  options?: Future.WaitOptions
): Effect.Effect<Future.WaitResult<A, E>> =>
  Effect.suspend(() => {
    const all = uniqueFutures(futures)
    const returnWhen = options?.returnWhen ?? "ALL_COMPLETED"
    const snapshot = (): Future.WaitResult<A, E> => {
      const done = new Set<Future.Future<A, E>>()
      const notDone = new Set<Future.Future<A, E>>()
      for (const future of all) (future.unsafeDone() ? done : notDone).add(future)
      return { done, notDone }
    }
    let doneCount = 0
    let exceptionSeen = false
    for (const future of all) {
      if (future.unsafeDone()) {
        doneCount++
        if (!exceptionSeen && isException(future)) exceptionSeen = true
      }
    }
    const satisfied = () =>
      doneCount === all.length ||
      (returnWhen === "FIRST_COMPLETED" && doneCount > 0) ||
      (returnWhen === "FIRST_EXCEPTION" && exceptionSeen)
    if (satisfied()) return Effect.sync(snapshot)
    const waiting = Effect.async<void>((resume) => {
      let resumed = false
      const removers: Array<() => void> = []
      const cleanup = () => {
        for (const remove of removers) remove()
      }
      for (const future of all) {
        if (future.unsafeDone()) continue
        removers.push(future.unsafeAddObserver(() => {
          doneCount++
          if (returnWhen === "FIRST_EXCEPTION" && isException(future)) exceptionSeen = true
          if (!resumed && satisfied()) {
            resumed = true
            cleanup()
            resume(Effect.void)
          }
        }))
      }
      return Effect.sync(cleanup)
    })
    const timed = options?.timeout === undefined
      ? waiting
      : Effect.asVoid(Effect.timeoutOption(waiting, options.timeout))
    return Effect.map(timed, snapshot)
  })
