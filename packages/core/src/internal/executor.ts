import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Executor from "../Executor.js"
import type * as Future from "../Future.js"
import * as Task from "../Task.js"
import {
  type CancelledError,
  type CancelReason,
  ExecutorShutdown,
  FutureTimeout,
  InvalidMaxWorkers
} from "../FutureErrors.js"
import { currentWorkerOf, FutureImpl, type FutureOwner, PENDING, RUNNING } from "./future.js"

/** @internal */
export const TypeId: Executor.TypeId = Symbol.for("@requests-futures/core/Executor") as Executor.TypeId

/** @internal */
export const defaultMaxWorkers = 2

/** @internal */
export const ExecutorTag = Context.GenericTag<Executor.Executor>("@requests-futures/core/Executor")

type AnyFuture = FutureImpl<unknown, unknown>

/**
 * Futures linked through their own `prev` / `next`: a future is in one list at a time (pending, then
 * running), so pushing and removing are O(1) and allocate nothing. The running futures were a `Set`
 * once: its table, old like the executor, kept finished futures' responses reachable from the old
 * generation, so with 64 KiB bodies they were promoted and only a full GC freed them (12–20 full GCs
 * per 5,000 requests, 240–340 µs of CPU per request instead of 165).
 */
class FutureList {
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

class ExecutorImpl implements Executor.Executor, FutureOwner {
  declare readonly [TypeId]: Executor.TypeId

  /** Pending futures, in submission order. */
  private readonly pending = new FutureList()
  /** Futures holding a worker slot. */
  private readonly running = new FutureList()
  /** Worker fibers not yet exited: the active ones, plus interrupted ones still running finalizers. */
  private readonly fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  private submitted = 0
  private completed = 0
  private failed = 0
  private cancelledCount = 0
  private shut = false
  private idleWaiters: Set<() => void> | undefined = undefined
  /** Futures given a slot whose fiber is not forked yet. */
  private toFork: Array<AnyFuture> = []
  private forkScheduled = false
  /** How many futures may hold a slot: `maxWorkers`, plus the slots lent by workers that wait on queued futures. */
  private limit: number
  private lent = 0

  private readonly runtime: Runtime.Runtime<never>
  private readonly runFork: ReturnType<typeof Runtime.runFork<never>>

  constructor(readonly maxWorkers: number, runtime: Runtime.Runtime<never>) {
    this.limit = maxWorkers
    // Every fiber of its work knows this executor (for managed blocking), at no cost per request.
    this.runtime = Runtime.setFiberRef(runtime, currentWorkerOf, this)
    this.runFork = Runtime.runFork(this.runtime)
  }

  // ---------------------------------------------------------------------------------------------
  // public API

  submit<A, E>(work: Executor.Work<A, E>): Effect.Effect<Future.Future<A, E>, ExecutorShutdown> {
    // The work runs with the submitter's context (span, log annotations, services, Clock): its refs
    // as they are now are kept with the future, and used if the work needs a fiber.
    return Effect.withFiberRuntime((fiber) =>
      this.shut
        ? Effect.fail(new ExecutorShutdown({ operation: "submit" }))
        : Effect.succeed(this.enqueue(work, fiber.getFiberRefs()))
    )
  }

  unsafeSubmit<A, E>(work: Executor.Work<A, E>): Either.Either<Future.Future<A, E>, ExecutorShutdown> {
    return this.shut ? Either.left(new ExecutorShutdown({ operation: "submit" })) : Either.right(this.enqueue(work))
  }

  map<I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: Executor.MapOptions
  ): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout> {
    return Effect.withFiberRuntime((fiber): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout> => {
      if (this.shut) return Effect.fail(new ExecutorShutdown({ operation: "map" }))
      const futures = this.enqueueAll(items, f, fiber.getFiberRefs())
      const results = Effect.forEach(futures, (future) => Effect.flatten(future.await))
      const timed = options?.timeout === undefined ? results : Effect.timeoutFail(results, {
        duration: options.timeout,
        onTimeout: () =>
          new FutureTimeout({
            operation: "map",
            timeout: Duration.decode(options.timeout as Duration.DurationInput),
            unfinished: futures.reduce((n, future) => future.unsafeDone() ? n : n + 1, 0),
            cancelled: true
          })
      })
      return Effect.onExit(timed, () => Effect.sync(() => this.cancelAll(futures, "map")))
    })
  }

  mapStream<I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>
  ): Stream.Stream<A, E | ExecutorShutdown | CancelledError> {
    return Stream.unwrapScoped(Effect.map(
      Effect.acquireRelease(
        Effect.withFiberRuntime<Array<FutureImpl<A, E>>, ExecutorShutdown>((fiber) =>
          this.shut
            ? Effect.fail(new ExecutorShutdown({ operation: "mapStream" }))
            : Effect.succeed(this.enqueueAll(items, f, fiber.getFiberRefs()))
        ),
        (futures) => Effect.sync(() => this.cancelAll(futures, "map"))
      ),
      (futures) => Stream.mapEffect(Stream.fromIterable(futures), (future) => Effect.flatten(future.await))
    ))
  }

  shutdown(options?: Executor.ShutdownOptions): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.unsafeShutdown(options)
      return options?.wait === false ? Effect.void : this.awaitIdle
    })
  }

  unsafeShutdown(options?: Omit<Executor.ShutdownOptions, "wait">): void {
    this.shut = true
    if (options?.cancelFutures === true || options?.interruptRunning === true) {
      // the queue first, or interrupting running work would start queued work
      while (this.pending.head !== undefined) this.cancel(this.pending.head, "shutdown")
    }
    if (options?.interruptRunning === true) {
      for (const future of this.running.toArray()) this.cancel(future, "shutdown")
    }
    this.checkIdle()
  }

  get stats(): Effect.Effect<Executor.Stats> {
    return Effect.sync(() => this.unsafeStats())
  }

  get isShutdown(): Effect.Effect<boolean> {
    return Effect.sync(() => this.shut)
  }

  unsafeManagedWait(future: Future.Future<unknown, unknown>): () => void {
    const f = future as AnyFuture
    return f.owner === this && f.status === PENDING ? this.lendSlot() : constVoid
  }

  unsafeStats(): Executor.Stats {
    return {
      maxWorkers: this.maxWorkers,
      lent: this.lent,
      running: this.running.size,
      queued: this.pending.size,
      submitted: this.submitted,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelledCount,
      isShutdown: this.shut
    }
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  toJSON(): unknown {
    return { _id: "Executor", ...this.unsafeStats() }
  }

  toString(): string {
    return Inspectable.format(this.toJSON())
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }

  // ---------------------------------------------------------------------------------------------
  // FutureOwner

  cancel<A, E>(future: FutureImpl<A, E>, reason: CancelReason, cause?: unknown): boolean {
    const f = future as AnyFuture
    switch (f.status) {
      case PENDING: {
        this.pending.remove(f)
        this.cancelledCount++
        f.finishCancelled(reason, false, cause)
        this.checkIdle()
        return true
      }
      case RUNNING: {
        const cancelRun = f.cancelRun
        this.running.remove(f)
        this.cancelledCount++
        // Finished first, so that the outcome the cancelled run reports is ignored; the slot is free
        // now, and an interrupted fiber's finalizers run in the background. (No run yet when it got
        // its slot in this very tick: its work never ran.)
        f.finishCancelled(reason, cancelRun !== undefined, cause)
        cancelRun?.()
        this.drain()
        return true
      }
      default:
        return f.cancelReason !== undefined
    }
  }

  lendSlot(): () => void {
    this.lent++
    this.limit++
    this.drain()
    let returned = false
    return () => {
      if (returned) return
      returned = true
      this.lent--
      // A slot taken back is not taken from a running future: the next to start waits for one more to end.
      this.limit--
    }
  }

  reportCallbackError(future: Future.Future<unknown, unknown>, error: unknown): void {
    try {
      Runtime.runFork(this.runtime)(
        Effect.logError(`A done-callback of future #${future.id} threw; the future is unaffected`, Cause.die(error))
      )
    } catch {
      console.error(`A done-callback of future #${future.id} threw; the future is unaffected`, error)
    }
  }

  // ---------------------------------------------------------------------------------------------
  // internals

  private enqueue<A, E>(work: Executor.Work<A, E>, caller?: FiberRefs.FiberRefs): FutureImpl<A, E> {
    const future = new FutureImpl<A, E>(this, work, performance.now())
    if (caller !== undefined) future.caller = caller
    const f = future as AnyFuture
    this.submitted++
    this.pending.push(f)
    this.drain()
    return future
  }

  private enqueueAll<I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    caller: FiberRefs.FiberRefs
  ): Array<FutureImpl<A, E>> {
    const futures: Array<FutureImpl<A, E>> = []
    let index = 0
    for (const item of items) {
      const i = index++
      futures.push(this.enqueue(Effect.suspend(() => f(item, i)), caller))
    }
    return futures
  }

  private cancelAll<A, E>(futures: ReadonlyArray<FutureImpl<A, E>>, reason: CancelReason): void {
    // the queued ones first, or cancelling a running one would hand its slot to one of them
    for (const future of futures) {
      if (future.status === PENDING) this.cancel(future, reason)
    }
    for (const future of futures) {
      if (future.status === RUNNING) this.cancel(future, reason)
    }
  }

  /** Starts queued work while a slot is free. */
  private drain(): void {
    while (this.running.size < this.limit && this.pending.head !== undefined) {
      const f = this.pending.head
      this.pending.remove(f)
      this.start(f)
    }
  }

  /**
   * Gives `f` a worker slot. Its fiber is forked in a microtask, in a batch: submit never runs work
   * synchronously, and a burst of cancels (which hands each freed slot to the next queued future)
   * forks no fiber for futures that are cancelled in the same tick.
   */
  private start(f: AnyFuture): void {
    f.status = RUNNING
    f.startedAt = performance.now()
    this.running.push(f)
    this.toFork.push(f)
    if (!this.forkScheduled) {
      this.forkScheduled = true
      queueMicrotask(this.forkBatch)
    }
  }

  private readonly forkBatch = (): void => {
    this.forkScheduled = false
    const batch = this.toFork
    this.toFork = []
    for (const f of batch) {
      if (f.status === RUNNING && f.cancelRun === undefined) this.fork(f)
    }
  }

  private fork(f: AnyFuture): void {
    const work = f.work as Executor.Work<unknown, unknown>
    f.work = undefined
    let made: Effect.Effect<unknown, unknown> | Task.Task<unknown, unknown>
    if (Task.isTask(work) || Effect.isEffect(work)) made = work
    else {
      const startedAt = f.startedAt as number
      try {
        made = work({ futureId: f.id, submittedAt: f.submittedAt, startedAt, queuedMs: startedAt - f.submittedAt })
      } catch (defect) {
        return this.complete(f, Exit.die(defect))
      }
    }
    // A task runs in the slot without a fiber; an effect (submitted, or handed over by a task) gets
    // one. Its outcome completes the future; after a cancel, `complete` ignores it.
    const task = Task.isTask(made) ? made : Task.fromEffect(made)
    const options = f.caller === undefined ? this.runOptions : this.callerRunOptions(f.caller)
    f.caller = undefined
    const cancel = Task.unsafeRun(task, (exit) => this.complete(f, exit), options)
    if (f.status === RUNNING) f.cancelRun = cancel
  }

  /**
   * How the executor's tasks run their effects: a root fiber on the executor's runtime (not a child of
   * the submitter, which may end first), started at once (already in a microtask batch), and tracked
   * until it exits so that shutdown can wait for the finalizers of interrupted work.
   */
  private readonly runOptions: Task.RunOptions = {
    runFork: (effect) => this.runFork(effect, { immediate: true }),
    onFiber: (fiber) => {
      this.fibers.add(fiber)
      fiber.addObserver(() => {
        this.fibers.delete(fiber)
        this.checkIdle()
      })
    }
  }

  /**
   * `runOptions` on the submitter's refs: a root fiber still, but with the caller's context, and this
   * executor as the one whose work it runs (only when the work needs a fiber: a task's fast path has none).
   */
  private callerRunOptions(refs: FiberRefs.FiberRefs): Task.RunOptions {
    const runFork = Runtime.runFork(
      Runtime.make({
        context: FiberRefs.getOrDefault(refs, FiberRef.currentContext),
        runtimeFlags: this.runtime.runtimeFlags,
        fiberRefs: refs
      })
    )
    return {
      runFork: (effect) => runFork(effect, { immediate: true, updateRefs: this.markWorker }),
      onFiber: this.runOptions.onFiber
    }
  }

  private readonly markWorker = (refs: FiberRefs.FiberRefs, fiberId: FiberId.Runtime): FiberRefs.FiberRefs =>
    FiberRefs.updateAs(refs, { fiberId, fiberRef: currentWorkerOf, value: this })

  /** The work of a running future ended by itself: record it and hand the slot on. */
  private complete(f: AnyFuture, exit: Exit.Exit<unknown, unknown>): void {
    if (f.status !== RUNNING) return
    this.running.remove(f)
    if (Exit.isSuccess(exit)) {
      this.completed++
      f.finish(exit)
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      this.cancelledCount++
      f.finishCancelled("interrupted", true)
    } else {
      this.failed++
      f.finish(exit)
    }
    this.drain()
    this.checkIdle()
  }

  private isIdle(): boolean {
    return this.pending.size === 0 && this.running.size === 0 && this.fibers.size === 0
  }

  private checkIdle(): void {
    if (this.idleWaiters === undefined || !this.isIdle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = undefined
    for (const waiter of waiters) waiter()
  }

  private get awaitIdle(): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.isIdle()) {
        resume(Effect.void)
        return
      }
      const waiter = () => resume(Effect.void)
      ;(this.idleWaiters ??= new Set()).add(waiter)
      return Effect.sync(() => {
        this.idleWaiters?.delete(waiter)
      })
    })
  }
}

Object.defineProperty(ExecutorImpl.prototype, TypeId, { value: TypeId })

const constVoid = (): void => {}

const validate = (maxWorkers: number | undefined): Either.Either<number, InvalidMaxWorkers> => {
  const n = maxWorkers ?? defaultMaxWorkers
  return Number.isSafeInteger(n) && n > 0 ? Either.right(n) : Either.left(new InvalidMaxWorkers({ maxWorkers: n }))
}

/** @internal */
export const unsafeMake = (options?: Executor.UnsafeOptions): Either.Either<Executor.Executor, InvalidMaxWorkers> =>
  Either.map(
    validate(options?.maxWorkers),
    (maxWorkers): Executor.Executor =>
      new ExecutorImpl(
        maxWorkers,
        // the work must be interruptible (by cancel) even if the runtime was captured in an
        // uninterruptible region, such as the acquisition of `make`
        Runtime.enableRuntimeFlag(options?.runtime ?? Runtime.defaultRuntime, RuntimeFlags.Interruption)
      )
  )

/** @internal */
export const make = (options?: Executor.Options): Effect.Effect<Executor.Executor, InvalidMaxWorkers, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(Effect.runtime<never>(), (runtime) => unsafeMake({ maxWorkers: options?.maxWorkers, runtime })),
    (executor) => executor.shutdown({ wait: true, cancelFutures: true, interruptRunning: true })
  )

/** @internal */
export const isExecutor = (u: unknown): u is Executor.Executor => Predicate.hasProperty(u, TypeId)

/** @internal */
export function submit(
  executor: Executor.Executor
): <A, E>(work: Executor.Work<A, E>) => Effect.Effect<Future.Future<A, E>, ExecutorShutdown>
/** @internal */
export function submit<A, E>(
  executor: Executor.Executor,
  work: Executor.Work<A, E>
): Effect.Effect<Future.Future<A, E>, ExecutorShutdown>
/** @internal */
export function submit<A, E>(
  executor: Executor.Executor,
  work?: Executor.Work<A, E>
):
  | Effect.Effect<Future.Future<A, E>, ExecutorShutdown>
  | (<A, E>(work: Executor.Work<A, E>) => Effect.Effect<Future.Future<A, E>, ExecutorShutdown>)
{
  return work === undefined
    ? <A, E>(work: Executor.Work<A, E>) => executor.submit(work)
    : executor.submit(work)
}

/** @internal */
export const map: {
  <I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: Executor.MapOptions
  ): (self: Executor.Executor) => Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout>
  <I, A, E>(
    self: Executor.Executor,
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: Executor.MapOptions
  ): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout>
} = dual(
  (args) => isExecutor(args[0]),
  <I, A, E>(
    self: Executor.Executor,
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: Executor.MapOptions
  ) => self.map(items, f, options)
)

/** @internal */
export const mapStream: {
  <I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>
  ): (self: Executor.Executor) => Stream.Stream<A, E | ExecutorShutdown | CancelledError>
  <I, A, E>(
    self: Executor.Executor,
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>
  ): Stream.Stream<A, E | ExecutorShutdown | CancelledError>
} = dual(
  3,
  <I, A, E>(self: Executor.Executor, items: Iterable<I>, f: (item: I, index: number) => Effect.Effect<A, E>) =>
    self.mapStream(items, f)
)

/** @internal */
export const shutdown: {
  (options?: Executor.ShutdownOptions): (self: Executor.Executor) => Effect.Effect<void>
  (self: Executor.Executor, options?: Executor.ShutdownOptions): Effect.Effect<void>
} = dual(
  (args) => isExecutor(args[0]),
  (self: Executor.Executor, options?: Executor.ShutdownOptions) => self.shutdown(options)
)
