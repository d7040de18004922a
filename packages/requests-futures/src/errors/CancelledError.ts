import type { RequestInfo } from "./RequestException.js"

/** Why a future was cancelled. */
export type CancelReason =
  /** `future.cancel()` was called. */
  | "cancel"
  /** Its executor was shut down with `cancelFutures` / `interruptRunning`, or its session closed so. */
  | "shutdown"
  /** Its work was interrupted from elsewhere. */
  | "interrupted"
  | "timeout"
  | "map"
  /** The queue was full and it was the oldest queued (`onFull: "dropOldest"`). */
  | "dropped"
  /** An `AbortSignal` of the request (its `signal` option, or its session's) was aborted: `cause` is its `reason`. */
  | "signal"

/**
 * The result of a cancelled future was asked for (`concurrent.futures.CancelledError`), or a request was
 * cancelled by its `signal` (a `Session`'s too). Not a `RequestException`: the request did not fail, it
 * was stopped. Cancelled by a signal, its `reason` is `"signal"` and its `cause` the signal's `reason`.
 *
 * @example
 * ```ts
 * const future = session.get(url)
 * future.cancel()
 * const outcome = await future.settle()
 * if (!outcome.ok && outcome.error instanceof CancelledError) console.log("cancelled")
 * ```
 */
export class CancelledError extends Error {
  readonly _tag = "CancelledError" as const
  /** The request of the future, for a future of a session. */
  readonly request: RequestInfo | undefined
  /** `true` when it had started and was interrupted (its socket closed), `false` when it never ran. */
  readonly wasRunning: boolean
  readonly reason: CancelReason

  constructor(
    message: string,
    options: {
      readonly request?: RequestInfo | undefined
      readonly wasRunning: boolean
      readonly reason: CancelReason
      /** What cancelled it, when known: the signal's `reason` for the reason `"signal"`. */
      readonly cause?: unknown
    }
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.request = options.request
    this.wasRunning = options.wasRunning
    this.reason = options.reason
  }

  override get name(): string {
    return this._tag
  }
}
