/**
 * A `Task` is work that starts outside any fiber and reports its outcome once, through a callback:
 * the fast path of a request. It exists because most requests need no Effect machinery at all (no
 * auth challenge, retry, hook or async body): the session prepares them synchronously, the transport
 * sends them with a callback, and the answer is known when the body ends. Running that on a fiber
 * costs a fiber, an `Effect.async` and a dozen operations per request, about a third of the CPU of a
 * small request; a task costs one callback.
 *
 * A task hands `resume` either an `Exit` (the outcome, decided without Effect) or the `Effect` that
 * finishes the work (a redirect to follow, a hook to run). Whoever started it runs that effect on a
 * fiber, so every feature keeps its Effect code and only the common case skips the fiber:
 *
 * - `Task.toEffect(task)` is one `Effect.async`: how `Session.request` runs a task;
 * - an `Executor` runs a submitted task without a fiber, and forks one only for a returned effect;
 * - `Task.unsafeRun(task, onExit)` does the same for code outside Effect (the Promise facade).
 *
 * ```ts
 * const task = session.task({ method: "GET", url })
 * const cancel = Task.unsafeRun(task, (exit) => console.log(exit))
 * ```
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Predicate from "effect/Predicate"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@requests-futures/core/Task")

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Called once by a task: an `Exit` when the outcome is known, else the effect that finishes the work.
 *
 * @since 0.2.0
 * @category models
 */
export type Resume<A, E> = (result: Effect.Effect<A, E>) => void

/**
 * Aborts a started task (before it resumed: its socket is destroyed and `resume` is not called).
 * A no-op once it resumed.
 *
 * @since 0.2.0
 * @category models
 */
export type Abort = () => void

/**
 * @since 0.2.0
 * @category models
 */
export interface Task<A, E> {
  readonly [TypeId]: TypeId
  /** Starts the work (every call starts it anew) and returns how to abort it. */
  readonly start: (resume: Resume<A, E>) => Abort
  /** Set when the task is only an effect: running it needs a fiber anyway. */
  readonly effect: Effect.Effect<A, E> | undefined
}

class TaskImpl<A, E> implements Task<A, E> {
  declare readonly [TypeId]: TypeId
  constructor(
    readonly start: (resume: Resume<A, E>) => Abort,
    readonly effect: Effect.Effect<A, E> | undefined = undefined
  ) {}
}
Object.defineProperty(TaskImpl.prototype, TypeId, { value: TypeId })

const noAbort: Abort = () => {}

/**
 * @since 0.2.0
 * @category refinements
 */
export const isTask = (u: unknown): u is Task<unknown, unknown> => Predicate.hasProperty(u, TypeId)

/**
 * The outcome, when the effect is an `Exit` already (known without running it: what a task's fast
 * path produces), else `undefined`.
 *
 * @since 0.2.0
 * @category getters
 */
export const exitOf = <A, E>(effect: Effect.Effect<A, E>): Exit.Exit<A, E> | undefined =>
  Exit.isExit(effect) ? (effect as Exit.Exit<A, E>) : undefined

/**
 * A task from its start function. `start` must call `resume` at most once; a throw from it is
 * taken as a defect by every runner (`toEffect`, `unsafeRun`, an `Executor`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <A, E>(start: (resume: Resume<A, E>) => Abort): Task<A, E> => new TaskImpl(start)

/**
 * A task that hands over `effect` at once (it runs on a fiber).
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromEffect = <A, E>(effect: Effect.Effect<A, E>): Task<A, E> =>
  new TaskImpl((resume) => {
    resume(effect)
    return noAbort
  }, effect)

/**
 * The task as an effect: one `Effect.async`; interrupting it aborts the task.
 *
 * @since 0.2.0
 * @category conversions
 */
export const toEffect = <A, E>(task: Task<A, E>): Effect.Effect<A, E> =>
  task.effect ?? Effect.async<A, E>((resume) => {
    const abort = task.start(resume)
    return Effect.sync(abort)
  })

/**
 * `f()`, or a defect if it throws: outside a fiber nothing else would catch it, and an exception
 * thrown into a socket callback would leave the work without an outcome.
 *
 * @since 0.2.0
 * @category constructors
 */
export const guard = <A, E>(f: () => Effect.Effect<A, E>): Effect.Effect<A, E> => {
  try {
    return f()
  } catch (defect) {
    return Exit.die(defect)
  }
}

/**
 * Transforms the value. `f` runs where the outcome is known (no fiber on the fast path); a throw is a defect.
 *
 * @since 0.2.0
 * @category mapping
 */
export const map = <A, E, B>(task: Task<A, E>, f: (a: A) => B): Task<B, E> =>
  task.effect !== undefined
    ? fromEffect(Effect.map(task.effect, f))
    : make((resume) =>
      task.start((result) => {
        const exit = exitOf(result)
        resume(exit !== undefined ? guard(() => Exit.map(exit, f)) : Effect.map(result, f))
      })
    )

/**
 * Continues with an effect once the value is known (on a fiber: hooks, callbacks).
 *
 * @since 0.2.0
 * @category sequencing
 */
export const flatMap = <A, E, B, E2>(task: Task<A, E>, f: (a: A) => Effect.Effect<B, E2>): Task<B, E | E2> =>
  task.effect !== undefined
    ? fromEffect(Effect.flatMap(task.effect, f))
    : make((resume) =>
      task.start((result) => {
        const exit = exitOf(result)
        resume(exit !== undefined && Exit.isSuccess(exit) ? guard(() => f(exit.value)) : Effect.flatMap(result, f))
      })
    )

/**
 * What `unsafeRun` needs to run an effect the task hands over: a runtime's `runFork`, and an
 * optional observer of the fiber it forked.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  readonly runFork?: (<A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>) | undefined
  readonly onFiber?: ((fiber: Fiber.RuntimeFiber<unknown, unknown>) => void) | undefined
}

/** Starts `task`; a start that throws resumes with the defect. */
const guardStart = <A, E>(task: Task<A, E>, resume: Resume<A, E>): Abort => {
  try {
    return task.start(resume)
  } catch (defect) {
    resume(Exit.die(defect))
    return noAbort
  }
}

/**
 * Runs a task from outside Effect: `onExit` is called exactly once, without a fiber when the task
 * decides the outcome alone, else when the fiber running the effect it handed over exits. The
 * returned function cancels: it aborts the task, or interrupts that fiber; `onExit` then sees an
 * interruption (unless the outcome was already known).
 *
 * @since 0.2.0
 * @category running
 */
export const unsafeRun = <A, E>(
  task: Task<A, E>,
  onExit: (exit: Exit.Exit<A, E>) => void,
  options?: RunOptions
): () => void => {
  let fiber: Fiber.RuntimeFiber<A, E> | undefined
  let settled = false
  const abort = guardStart(task, (result) => {
    if (settled) return
    const exit = exitOf(result)
    if (exit !== undefined) {
      settled = true
      return onExit(exit)
    }
    fiber = (options?.runFork ?? Effect.runFork)(result)
    options?.onFiber?.(fiber)
    fiber.addObserver((exit) => {
      settled = true
      onExit(exit)
    })
  })
  return () => {
    if (settled) return
    if (fiber !== undefined) return fiber.unsafeInterruptAsFork(FiberId.none)
    settled = true
    abort()
    onExit(Exit.interrupt(FiberId.none))
  }
}
