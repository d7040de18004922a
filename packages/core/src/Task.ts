/**
 * A `Task` is work that starts outside any fiber and reports its outcome once, through a callback:
 * the fast path of a request. It exists because most requests need no Effect machinery at all (no
 * auth challenge, retry, hook or async body): the session prepares them synchronously, the transport
 * sends them with a callback, and the answer is known when the body ends. Running that on a fiber
 * costs a fiber, an `Effect.async` and a dozen operations per request, about a third of the CPU of a
 * small request; a task costs one callback.
 *
 * A task hands `resume` a `Step`: an `Exit` (the outcome, decided without Effect) or `Continue` with
 * the `Effect` that finishes the work (a redirect to follow, a hook to run). Whoever started it runs that effect on a
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
import * as Effectable from "effect/Effectable"
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
 * What a task (or one step of one) decided: the outcome itself, an `Exit`, when no Effect was needed;
 * else `Continue`, the effect that finishes the work on a fiber. The two are told apart by `_tag`
 * ("Success" / "Failure" / "Continue"), never by inspecting an effect.
 *
 * @since 0.2.0
 * @category models
 */
export type Step<A, E> = Exit.Exit<A, E> | Continue<A, E>

/**
 * The work goes on as an effect (a redirect to follow, a hook that returned an effect...). A
 * `Continue` is itself that effect, so any `Step` can be yielded or run as an `Effect`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Continue<A, E> extends Effect.Effect<A, E> {
  readonly _tag: "Continue"
  readonly effect: Effect.Effect<A, E>
}

class ContinueImpl<A, E> extends Effectable.Class<A, E> implements Continue<A, E> {
  readonly _tag = "Continue"
  constructor(readonly effect: Effect.Effect<A, E>) {
    super()
  }
  commit(): Effect.Effect<A, E> {
    return this.effect
  }
}

/**
 * Called once by a task, with its outcome or the effect that finishes it.
 *
 * @since 0.2.0
 * @category models
 */
export type Resume<A, E> = (step: Step<A, E>) => void

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
 * A `Continue` step: the work goes on as `effect`, on a fiber.
 *
 * @since 0.2.0
 * @category constructors
 */
export const continueWith = <A, E>(effect: Effect.Effect<A, E>): Continue<A, E> => new ContinueImpl(effect)

/**
 * @since 0.2.0
 * @category refinements
 */
export const isContinue = <A, E>(step: Step<A, E>): step is Continue<A, E> => step._tag === "Continue"

/**
 * `f()`, or a defect if it throws: outside a fiber nothing else would catch it, and an exception
 * thrown into a socket callback would leave the work without an outcome.
 *
 * @since 0.2.0
 * @category constructors
 */
export const guard = <A, E>(f: () => Step<A, E>): Step<A, E> => {
  try {
    return f()
  } catch (defect) {
    return Exit.die(defect)
  }
}

/** A failure has no value: it is the same failure whatever the success type. */
const failure = <A, E, B>(exit: Exit.Failure<A, E>): Exit.Exit<B, E> => exit as unknown as Exit.Failure<B, E>

/**
 * Transforms a step's value: at once (no fiber) when it is a success, inside the effect otherwise.
 * A throw of `f` is a defect.
 *
 * @since 0.2.0
 * @category mapping
 */
export const mapStep = <A, E, B>(step: Step<A, E>, f: (a: A) => B): Step<B, E> =>
  step._tag === "Success"
    ? guard(() => Exit.succeed(f(step.value)))
    : step._tag === "Failure"
    ? failure(step)
    : continueWith(Effect.map(step.effect, f))

/**
 * Sequences a step: `f` runs at once (no fiber) when the step is a success, after the effect
 * otherwise. A throw of `f` is a defect.
 *
 * @since 0.2.0
 * @category sequencing
 */
export const flatMapStep = <A, E, B, E2>(step: Step<A, E>, f: (a: A) => Step<B, E2>): Step<B, E | E2> =>
  step._tag === "Success"
    ? guard(() => f(step.value))
    : step._tag === "Failure"
    ? failure(step)
    : continueWith(Effect.flatMap(step.effect, (a) => f(a)))

/**
 * A task from its start function. `start` must call `resume` at most once; a throw from it is
 * taken as a defect by every runner (`toEffect`, `unsafeRun`, an `Executor`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <A, E>(start: (resume: Resume<A, E>) => Abort): Task<A, E> => new TaskImpl(start)

/**
 * A task whose outcome is known: it resumes with `exit` at once, without a fiber.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromExit = <A, E>(exit: Exit.Exit<A, E>): Task<A, E> =>
  new TaskImpl((resume) => {
    resume(exit)
    return noAbort
  })

/**
 * A task that hands over `effect` at once (it runs on a fiber).
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromEffect = <A, E>(effect: Effect.Effect<A, E>): Task<A, E> =>
  new TaskImpl((resume) => {
    resume(continueWith(effect))
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
    const abort = task.start((step) => resume(step))
    return Effect.sync(abort)
  })

/**
 * Transforms the value. `f` runs where the outcome is known (no fiber on the fast path); a throw is a defect.
 *
 * @since 0.2.0
 * @category mapping
 */
export const map = <A, E, B>(task: Task<A, E>, f: (a: A) => B): Task<B, E> =>
  task.effect !== undefined
    ? fromEffect(Effect.map(task.effect, f))
    : make((resume) => task.start((step) => resume(mapStep(step, f))))

/**
 * Continues with a step once the value is known: at once when `f` decides it without Effect (a
 * hook that returned a value), on a fiber when `f` continues with an effect.
 *
 * @since 0.2.0
 * @category sequencing
 */
export const flatMap = <A, E, B, E2>(task: Task<A, E>, f: (a: A) => Step<B, E2>): Task<B, E | E2> =>
  task.effect !== undefined
    ? fromEffect(Effect.flatMap(task.effect, (a) => f(a)))
    : make((resume) => task.start((step) => resume(flatMapStep(step, f))))

/**
 * Calls `f` with the outcome once it is known (at once on the fast path; when the effect exits
 * otherwise), and goes on with the same outcome. `f` must not throw.
 *
 * @since 0.2.0
 * @category sequencing
 */
export const onExit = <A, E>(task: Task<A, E>, f: (exit: Exit.Exit<A, E>) => void): Task<A, E> => {
  const observed = (effect: Effect.Effect<A, E>) => Effect.onExit(effect, (exit) => Effect.sync(() => f(exit)))
  return task.effect !== undefined
    ? fromEffect(observed(task.effect))
    : make((resume) =>
      task.start((step) => {
        if (step._tag === "Continue") return resume(continueWith(observed(step.effect)))
        f(step)
        resume(step)
      })
    )
}

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
  const abort = guardStart(task, (step) => {
    if (settled) return
    if (step._tag !== "Continue") {
      settled = true
      return onExit(step)
    }
    fiber = (options?.runFork ?? Effect.runFork)(step.effect)
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
