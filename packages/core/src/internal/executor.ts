import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
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
import type * as Retry from "../Retry.js"
import * as Task from "../Task.js"
import {
  type CancelledError,
  type CancelReason,
  ExecutorShutdown,
  FutureTimeout,
  InvalidMaxWorkers,
  QueueFull
} from "../FutureErrors.js"
import { BACKOFF, currentWorkerOf, FINISHED, FutureImpl, type FutureOwner, PENDING, RUNNING, WAITING } from "./future.js"
import { FutureList, Scheduler } from "./scheduler.js"

/** @internal */
export const TypeId: Executor.TypeId = Symbol.for("@requests-futures/core/Executor") as Executor.TypeId

/** @internal */
export const defaultMaxWorkers = 2

/** @internal */
export const ExecutorTag = Context.GenericTag<Executor.Executor>("@requests-futures/core/Executor")

type AnyFuture = FutureImpl<unknown, unknown>

/** A slot kept past its future's outcome (`WorkInfo.retainSlot`): the future only until it finishes. */
interface Retained {
  future: AnyFuture | undefined
  readonly host: AnyFuture["host"]
}

class ExecutorImpl implements Executor.Executor, FutureOwner {
  declare readonly [TypeId]: Executor.TypeId

  /** Queued futures: one queue per host, by priority. */
  private readonly scheduler: Scheduler
  /** Futures holding a worker slot. */
  private readonly running = new FutureList()
  /** Futures submitted while the queue was full (`onFull: "wait"`), in order. */
  private readonly waiting = new FutureList()
  /** What to call when a future of `waiting` is admitted (a `submit` suspended until then). */
  private readonly admitted = new Map<AnyFuture, () => void>()
  /** Backing-off futures coming back: what resumes their work once they have a slot again. */
  private readonly resumes = new Map<AnyFuture, () => void>()
  /** Futures with a deadline: what stops its timer. */
  private readonly deadlines = new Map<AnyFuture, () => void>()
  /** Futures whose work backs off, holding no slot. */
  private readonly backoffs = new Set<AnyFuture>()
  /** A wake-up of the queue is scheduled for this time (a paused or rate-limited host). */
  private wakeScheduledAt: number | undefined = undefined
  readonly keyed: boolean
  private readonly maxQueued: number
  private readonly onFull: Executor.OnFull
  private readonly clock: Clock.Clock
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
  /** Running futures whose slot outlives their outcome (`WorkInfo.retainSlot`). */
  private readonly retained = new Map<AnyFuture, Retained>()
  /**
   * Slots of finished futures still held (a streamed body being read), until released. A record, not the
   * future: the future holds its response, and a response nobody holds any more must be collectable
   * (its body's connection, and so this slot, is released when it is).
   */
  private readonly holding = new Set<Retained>()

  private readonly runtime: Runtime.Runtime<never>
  private readonly runFork: ReturnType<typeof Runtime.runFork<never>>

  constructor(
    readonly maxWorkers: number,
    runtime: Runtime.Runtime<never>,
    options: Executor.Options | undefined
  ) {
    this.limit = maxWorkers
    // Every fiber of its work knows this executor (for managed blocking), at no cost per request.
    this.runtime = Runtime.setFiberRef(runtime, currentWorkerOf, this)
    this.runFork = Runtime.runFork(this.runtime)
    // The scheduler's time (rate limits, pauses, deadlines) is the runtime's Clock: a TestClock drives it.
    this.clock = Context.get(FiberRefs.getOrDefault(runtime.fiberRefs, DefaultServices.currentServices), Clock.Clock)
    this.keyed = options?.perHost !== undefined || options?.adaptive === true
    this.maxQueued = options?.maxQueued ?? Number.POSITIVE_INFINITY
    this.onFull = options?.onFull ?? "wait"
    this.scheduler = new Scheduler(options?.perHost, options?.adaptive === true, () => this.clock.unsafeCurrentTimeMillis())
  }

  // ---------------------------------------------------------------------------------------------
  // public API

  submit<A, E, E2 = never>(
    work: Executor.Work<A, E>,
    options?: Executor.SubmitOptions<E2>
  ): Effect.Effect<Future.Future<A, E | E2>, ExecutorShutdown | QueueFull> {
    // The work runs with the submitter's context (span, log annotations, services, Clock): its refs
    // as they are now are kept with the future, and used if the work needs a fiber.
    return Effect.withFiberRuntime((fiber) => {
      const submitted = this.unsafeSubmit(work, options, this.callerRefs(fiber))
      if (Either.isLeft(submitted)) return Exit.fail(submitted.left)
      const future = submitted.right as FutureImpl<A, E | E2>
      if (future.status !== WAITING) return Exit.succeed(future)
      // Backpressure: the caller waits until its future is admitted to the queue.
      return Effect.async<Future.Future<A, E | E2>>((resume) => {
        this.admitted.set(future as AnyFuture, () => resume(Exit.succeed(future)))
        return Effect.sync(() => {
          this.admitted.delete(future as AnyFuture)
          this.cancel(future, "cancel")
        })
      })
    })
  }

  unsafeSubmit<A, E, E2 = never>(
    work: Executor.Work<A, E>,
    options?: Executor.SubmitOptions<E2>,
    caller?: FiberRefs.FiberRefs
  ): Either.Either<Future.Future<A, E | E2>, ExecutorShutdown | QueueFull> {
    if (this.shut) return Either.left(new ExecutorShutdown({ operation: "submit" }))
    if (this.scheduler.queued >= this.maxQueued) {
      if (this.onFull === "reject") return Either.left(new QueueFull({ maxQueued: this.maxQueued }))
      if (this.onFull === "dropOldest") {
        const oldest = this.scheduler.oldest()
        if (oldest !== undefined) this.cancel(oldest, "dropped")
      }
    }
    return Either.right(this.enqueue(work as Executor.Work<A, E | E2>, caller, options))
  }

  map<I, A, E>(
    items: Iterable<I>,
    f: (item: I, index: number) => Effect.Effect<A, E>,
    options?: Executor.MapOptions
  ): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout> {
    return Effect.withFiberRuntime((fiber): Effect.Effect<ReadonlyArray<A>, E | ExecutorShutdown | CancelledError | FutureTimeout> => {
      if (this.shut) return Effect.fail(new ExecutorShutdown({ operation: "map" }))
      const futures = this.enqueueAll(items, f, this.callerRefs(fiber))
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
            : Effect.succeed(this.enqueueAll(items, f, this.callerRefs(fiber)))
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
      // the queues first, or interrupting running work would start queued work
      for (const future of this.waiting.toArray()) this.cancel(future, "shutdown")
      for (const future of this.scheduler.all()) this.cancel(future, "shutdown")
      for (const future of Array.from(this.resumes.keys())) this.cancel(future, "shutdown")
    }
    if (options?.interruptRunning === true) {
      for (const future of this.running.toArray()) this.cancel(future, "shutdown")
      for (const future of Array.from(this.backoffs)) this.cancel(future, "shutdown")
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
      queued: this.scheduler.queued,
      waiting: this.waiting.size,
      backingOff: this.backoffs.size,
      retained: this.holding.size,
      submitted: this.submitted,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelledCount,
      isShutdown: this.shut
    }
  }

  unsafeHostStats(): ReadonlyArray<Executor.HostStats> {
    return this.scheduler.hostStats()
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
    if (f.status === FINISHED) return f.cancelReason !== undefined
    const cancelRun = f.cancelRun
    const wasRunning = f.status === RUNNING
    this.leave(f)
    this.cancelledCount++
    // Finished first, so that the outcome the cancelled run reports is ignored; the slot is free now,
    // and an interrupted fiber's finalizers run in the background. (No run yet when it got its slot in
    // this very tick: its work never ran.) A queued future coming back from a backoff has a fiber too.
    f.finishCancelled(reason, wasRunning && cancelRun !== undefined, cause)
    cancelRun?.()
    this.drain()
    this.checkIdle()
    return true
  }

  /** Takes `f` out of wherever it is (a queue, the running list, a backoff) and frees what it held. */
  private leave(f: AnyFuture): void {
    switch (f.status) {
      case WAITING:
        this.waiting.remove(f)
        this.admitted.delete(f)
        break
      case PENDING:
        this.scheduler.remove(f)
        this.resumes.delete(f)
        break
      case RUNNING:
        this.running.remove(f)
        this.retained.delete(f)
        f.host.running--
        break
      case BACKOFF:
        this.backoffs.delete(f)
        break
    }
    const stopDeadline = this.deadlines.get(f)
    if (stopDeadline !== undefined) {
      this.deadlines.delete(f)
      stopDeadline()
    }
  }

  /** Moves futures waiting for room into the queue, in order, while there is room. */
  private admit(): void {
    while (this.waiting.head !== undefined && this.scheduler.queued < this.maxQueued) {
      const f = this.waiting.head
      this.waiting.remove(f)
      f.status = PENDING
      this.scheduler.push(f)
      const admitted = this.admitted.get(f)
      if (admitted !== undefined) {
        this.admitted.delete(f)
        admitted()
      }
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

  private enqueue<A, E>(
    work: Executor.Work<A, E>,
    caller: FiberRefs.FiberRefs | undefined,
    options?: Executor.SubmitOptions<unknown>
  ): FutureImpl<A, E> {
    const future = new FutureImpl<A, E>(this, work, performance.now())
    const f = future as AnyFuture
    if (caller !== undefined) f.caller = caller
    f.host = this.scheduler.host(options?.key)
    if (options?.priority !== undefined) f.priority = options.priority
    this.submitted++
    if (this.scheduler.queued >= this.maxQueued) {
      f.status = WAITING
      this.waiting.push(f)
    } else {
      this.scheduler.push(f)
    }
    if (options?.deadline !== undefined) this.startDeadline(f, options.deadline)
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
      if (future.status !== RUNNING) this.cancel(future, reason)
    }
    for (const future of futures) {
      if (future.status === RUNNING) this.cancel(future, reason)
    }
  }

  /**
   * Starts queued work while a slot is free (the executor's, and its host's: see `Scheduler.next`),
   * and admits futures waiting for room in the queue as it empties.
   */
  private drain(): void {
    for (;;) {
      while (this.running.size + this.holding.size < this.limit) {
        const f = this.scheduler.next()
        if (f === undefined) break
        this.start(f)
      }
      if (this.waiting.head === undefined || this.scheduler.queued >= this.maxQueued) break
      this.admit()
    }
    const wakeAt = this.scheduler.wakeAt
    if (wakeAt !== undefined) this.wakeAt(wakeAt)
  }

  /** Drains again at `at` (Clock time): a paused or rate-limited host can start one then. */
  private wakeAt(at: number): void {
    if (this.wakeScheduledAt !== undefined && this.wakeScheduledAt <= at) return
    this.wakeScheduledAt = at
    this.after(at - this.clock.unsafeCurrentTimeMillis(), () => {
      if (this.wakeScheduledAt === at) this.wakeScheduledAt = undefined
      this.drain()
    })
  }

  /** Calls `f` after `ms` of the executor's Clock; returns what stops it. */
  private after(ms: number, f: () => void): () => void {
    const fiber = this.runFork(Effect.as(this.clock.sleep(Duration.millis(Math.max(0, ms))), undefined), {
      immediate: true
    })
    fiber.addObserver((exit) => {
      if (Exit.isSuccess(exit)) f()
    })
    return () => fiber.unsafeInterruptAsFork(FiberId.none)
  }

  private startDeadline(f: AnyFuture, deadline: NonNullable<Executor.SubmitOptions<unknown>["deadline"]>): void {
    this.deadlines.set(f, this.after(deadline.ms, () => {
      this.deadlines.delete(f)
      if (f.status === FINISHED) return
      const phase = f.status === RUNNING ? "running" : f.status === BACKOFF ? "backoff" : "queued"
      const cancelRun = f.cancelRun
      this.leave(f)
      this.failed++
      f.finish(Exit.fail(deadline.onExpire(phase)))
      cancelRun?.()
      this.drain()
      this.checkIdle()
    }))
  }

  /**
   * Gives `f` a worker slot. Its fiber is forked in a microtask, in a batch: submit never runs work
   * synchronously, and a burst of cancels (which hands each freed slot to the next queued future)
   * forks no fiber for futures that are cancelled in the same tick. A future back from a backoff has
   * its fiber: it resumes.
   */
  private start(f: AnyFuture): void {
    f.status = RUNNING
    f.host.running++
    this.running.push(f)
    const resume = this.resumes.get(f)
    if (resume !== undefined) {
      this.resumes.delete(f)
      return resume()
    }
    f.startedAt = performance.now()
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
      try {
        made = work(new WorkInfoImpl(this, f))
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

  /** `WorkInfo.backoff`: frees `f`'s slots for `delayMs`, then queues it again and waits for a slot. */
  backoff(f: AnyFuture, delayMs: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (f.status !== RUNNING) return Effect.sleep(Duration.millis(delayMs))
      this.running.remove(f)
      f.host.running--
      f.status = BACKOFF
      this.backoffs.add(f)
      this.drain()
      return Effect.zipRight(
        Effect.sleep(Duration.millis(delayMs)),
        Effect.async<void>((resume) => {
          if (f.status !== BACKOFF) return
          this.backoffs.delete(f)
          f.status = PENDING
          this.resumes.set(f, () => resume(Effect.void))
          this.scheduler.push(f, true)
          this.drain()
          // Interrupted while queued again (its future was cancelled): `cancel` took it out already.
        })
      )
    })
  }

  /** `WorkInfo.retainSlot`: `f` keeps its slot past its outcome, until the returned function is called. */
  retainSlot(f: AnyFuture): () => void {
    if (f.status !== RUNNING) return constVoid
    let record = this.retained.get(f)
    if (record === undefined) this.retained.set(f, record = { future: f, host: f.host })
    const retained = record
    let released = false
    return () => {
      if (released) return
      released = true
      if (retained.future !== undefined) this.retained.delete(retained.future)
      if (this.holding.delete(retained)) {
        retained.host.running--
        this.drain()
      }
    }
  }

  /** `WorkInfo.signal`: feedback for the adaptive limit of `f`'s host. */
  signal(f: AnyFuture, signal: Executor.HostSignal): void {
    f.host.signal(signal, this.clock.unsafeCurrentTimeMillis())
    if (signal._tag === "Throttled" && signal.retryAfterMs !== undefined) this.drain()
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

  /** The refs `callerRefs` took last: shared by the futures a fiber submits while its refs stay the same. */
  private lastCallerRefs: FiberRefs.FiberRefs | undefined = undefined

  /**
   * The submitting fiber's refs, kept with each future it submits. `getFiberRefs()` copies them on every
   * call (about 250 B per queued future); a fiber that submits many futures without changing its refs
   * (no new span, annotation or service in between) gets the same snapshot each time instead. Effect 3's
   * fiber keeps its current refs in `_fiberRefs`, the very object the previous `getFiberRefs()` returned
   * when nothing changed since; where that field is missing, each submit takes its own snapshot.
   */
  private callerRefs(fiber: Fiber.RuntimeFiber<unknown, unknown>): FiberRefs.FiberRefs {
    const current = (fiber as unknown as { readonly _fiberRefs?: FiberRefs.FiberRefs })._fiberRefs
    if (current !== undefined && current === this.lastCallerRefs) return current
    return this.lastCallerRefs = fiber.getFiberRefs()
  }

  private readonly markWorker = (refs: FiberRefs.FiberRefs, fiberId: FiberId.Runtime): FiberRefs.FiberRefs =>
    FiberRefs.updateAs(refs, { fiberId, fiberRef: currentWorkerOf, value: this })

  /** The work of a running future ended by itself: record it and hand the slot on. */
  private complete(f: AnyFuture, exit: Exit.Exit<unknown, unknown>): void {
    if (f.status !== RUNNING) return
    const retained = Exit.isSuccess(exit) ? this.retained.get(f) : undefined
    this.leave(f)
    if (retained !== undefined) {
      retained.future = undefined
      this.holding.add(retained)
      f.host.running++
    }
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
    return this.scheduler.queued === 0 && this.waiting.size === 0 && this.running.size === 0 &&
      this.backoffs.size === 0 && this.fibers.size === 0
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

/** What a future's work learns when it starts; `backoff` and `signal` act on that future's slots. */
class WorkInfoImpl implements Executor.WorkInfo {
  readonly futureId: number
  readonly submittedAt: number
  readonly startedAt: number
  readonly queuedMs: number
  constructor(private readonly executor: ExecutorImpl, private readonly future: AnyFuture) {
    this.futureId = future.id
    this.submittedAt = future.submittedAt
    this.startedAt = future.startedAt as number
    this.queuedMs = this.startedAt - this.submittedAt
  }
  // Methods, not closures: two functions per request would be allocated for the few that retry.
  backoff(delayMs: number, after?: Parameters<Retry.Backoff>[1]): Effect.Effect<void> {
    // An attempt the server throttled tells the host's adaptive limit before the wait.
    if (after?.status === 429 || (after?.status === 503 && after.retryAfterMs !== undefined)) {
      this.executor.signal(this.future, { _tag: "Throttled", retryAfterMs: after.retryAfterMs })
    }
    return this.executor.backoff(this.future, delayMs)
  }
  signal(signal: Executor.HostSignal): void {
    this.executor.signal(this.future, signal)
  }
  retainSlot(): () => void {
    return this.executor.retainSlot(this.future)
  }
}

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
        Runtime.enableRuntimeFlag(options?.runtime ?? Runtime.defaultRuntime, RuntimeFlags.Interruption),
        options
      )
  )

/** @internal */
export const make = (options?: Executor.Options): Effect.Effect<Executor.Executor, InvalidMaxWorkers, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(Effect.runtime<never>(), (runtime) => unsafeMake({ ...options, runtime })),
    (executor) => executor.shutdown({ wait: true, cancelFutures: true, interruptRunning: true })
  )

/** @internal */
export const isExecutor = (u: unknown): u is Executor.Executor => Predicate.hasProperty(u, TypeId)

/** @internal */
export function submit(
  executor: Executor.Executor
): <A, E>(work: Executor.Work<A, E>) => Effect.Effect<Future.Future<A, E>, ExecutorShutdown | QueueFull>
/** @internal */
export function submit<A, E>(
  executor: Executor.Executor,
  work: Executor.Work<A, E>
): Effect.Effect<Future.Future<A, E>, ExecutorShutdown | QueueFull>
/** @internal */
export function submit<A, E>(
  executor: Executor.Executor,
  work?: Executor.Work<A, E>
):
  | Effect.Effect<Future.Future<A, E>, ExecutorShutdown | QueueFull>
  | (<A, E>(work: Executor.Work<A, E>) => Effect.Effect<Future.Future<A, E>, ExecutorShutdown | QueueFull>)
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
