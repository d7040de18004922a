/**
 * The typed errors of executors and futures.
 *
 * - {@link InvalidMaxWorkers}: an executor was asked for a worker count that is not a positive integer.
 * - {@link ExecutorShutdown}: work was submitted to an executor that has been shut down.
 * - {@link CancelledError}: the result of a cancelled future was asked for.
 * - {@link FutureTimeout}: a future (or a set of futures) was not done in time.
 *
 * `Executor` re-exports the first two, `Future` the last two.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"

/**
 * `Executor.make` / `Executor.unsafeMake` was given a `maxWorkers` that is not a positive integer
 * (`0`, `-1`, `1.5`, `NaN`, `Infinity`, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidMaxWorkers extends Data.TaggedError("InvalidMaxWorkers")<{
  readonly maxWorkers: number
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `maxWorkers must be a positive integer (1, 2, 3, ...), got ${String(this.maxWorkers)}. ` +
      `Omit it to get the default of 2 workers.`
  }
}

/**
 * Work was submitted to an executor after `shutdown` was called or after the scope that owns it was closed
 * (Python raises `RuntimeError('cannot schedule new futures after shutdown')`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ExecutorShutdown extends Data.TaggedError("ExecutorShutdown")<{
  /** What was attempted: `"submit"`, `"map"` or `"mapStream"`. */
  readonly operation: "submit" | "map" | "mapStream"
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `Cannot ${this.operation}: the executor has been shut down and accepts no new work. ` +
      `Submit before calling shutdown (or before the executor's scope closes), or create a new executor.`
  }
}

/**
 * `submit` found `maxQueued` futures queued already, with `onFull: "reject"`.
 *
 * @since 0.2.0
 * @category errors
 */
export class QueueFull extends Data.TaggedError("QueueFull")<{
  readonly maxQueued: number
}> {
  /** @since 0.2.0 */
  override get message(): string {
    return `The executor's queue is full (maxQueued: ${this.maxQueued}): submit again later, ` +
      `or choose onFull: "wait" (backpressure) or "dropOldest".`
  }
}

/**
 * Why a future was cancelled.
 *
 * - `"cancel"`: `future.cancel` was called.
 * - `"timeout"`: `future.result` / `future.exception` timed out with `cancelOnTimeout: true`.
 * - `"shutdown"`: its executor was shut down with `cancelFutures` / `interruptRunning`, or its scope closed.
 * - `"map"`: it belonged to an `Executor.map` that ended early (an earlier item failed, the map timed out
 *   or was interrupted).
 * - `"interrupted"`: its work was interrupted by something other than the executor (e.g. it interrupted itself).
 * - `"dropped"`: it was the oldest queued future of a full queue with `onFull: "dropOldest"`.
 * - `"signal"`: an `AbortSignal` of its request (the request's `signal` or its session's) was aborted; the
 *   error's `cause` is the signal's `reason`.
 *
 * @since 0.1.0
 * @category models
 */
export type CancelReason = "cancel" | "timeout" | "shutdown" | "map" | "interrupted" | "dropped" | "signal"

const reasonText: Record<CancelReason, string> = {
  dropped: "the queue was full and it was the oldest queued (onFull: \"dropOldest\")",
  cancel: "future.cancel was called",
  timeout: "waiting for its result timed out with cancelOnTimeout: true",
  shutdown: "its executor was shut down with cancelFutures / interruptRunning, or the executor's scope closed",
  map: "it belonged to an Executor.map that ended early (an earlier item failed, the map timed out or was interrupted)",
  interrupted: "its work was interrupted from outside the executor",
  signal: "the AbortSignal of its request was aborted"
}

/** A signal's reason, in a message: an Error's message, else the value. */
const describeReason = (reason: unknown): string => reason instanceof Error ? reason.message : String(reason)

/**
 * The result of a cancelled future was asked for (Python's `concurrent.futures.CancelledError`).
 *
 * @since 0.1.0
 * @category errors
 */
export class CancelledError extends Data.TaggedError("CancelledError")<{
  readonly futureId: number
  readonly reason: CancelReason
  /** `true` when the work had started and was interrupted, `false` when it was cancelled while queued. */
  readonly wasRunning: boolean
  /** For the reason `"signal"`: the signal's `reason` (what was passed to `abort(reason)`). */
  readonly cause?: unknown
}> {
  /** @since 0.1.0 */
  override get message(): string {
    const why = this.reason === "signal" && this.cause !== undefined
      ? `${reasonText.signal} (${describeReason(this.cause)})`
      : reasonText[this.reason]
    return `Future #${this.futureId} was cancelled ${
      this.wasRunning ? "while running (its work was interrupted)" : "before it started (its work never ran)"
    } because ${why}; it has no result.`
  }
}

/**
 * A future, or a set of futures, was not done within the given timeout
 * (Python's `concurrent.futures.TimeoutError`).
 *
 * @since 0.1.0
 * @category errors
 */
export class FutureTimeout extends Data.TaggedError("FutureTimeout")<{
  /** Where the timeout was given: `future.result`, `future.exception`, `Future.asCompleted` or `Executor.map`. */
  readonly operation: "result" | "exception" | "asCompleted" | "map"
  readonly timeout: Duration.Duration
  /** How many futures were not done when the timeout expired. */
  readonly unfinished: number
  /** The future, for `result` / `exception`. */
  readonly futureId?: number
  /** Whether the unfinished work was cancelled (`cancelOnTimeout: true`, or always for `Executor.map`). */
  readonly cancelled: boolean
}> {
  /** @since 0.1.0 */
  override get message(): string {
    const what = this.futureId === undefined
      ? `${this.unfinished} future${this.unfinished === 1 ? " was" : "s were"} not done`
      : `Future #${this.futureId} was not done`
    const next = this.cancelled
      ? "the unfinished work was cancelled"
      : this.operation === "result" || this.operation === "exception"
      ? "its work goes on: wait again, raise the timeout, or pass cancelOnTimeout: true to cancel it on timeout"
      : "the work goes on: raise the timeout or cancel the futures"
    return `${what} within ${Duration.format(this.timeout)} (${this.operation}); ${next}.`
  }
}
