import type { RequestInfo } from "./RequestException.js"

/**
 * A future, or a set of futures, was not done in time (`concurrent.futures.TimeoutError`):
 * `future.result(timeoutMs)`, `future.exception(timeoutMs)`, `asCompleted(futures, { timeout })`,
 * `asSettled(futures, { timeout })`: the work goes on (wait again, or `cancel()` it);
 * `executor.map(fn, items, { timeout })`: the unfinished work is cancelled.
 *
 * Not a `RequestException`: the request's own `timeout` option raises `Timeout` (`ConnectTimeout`,
 * `ReadTimeout`) instead.
 */
export class TimeoutError extends Error {
  readonly _tag = "TimeoutError" as const
  readonly timeoutMs: number
  /** The request of the future, for `result` / `exception` on a future of a session. */
  readonly request: RequestInfo | undefined
  /** How many futures were not done. */
  readonly unfinished: number

  constructor(
    message: string,
    options: { readonly timeoutMs: number; readonly request?: RequestInfo | undefined; readonly unfinished?: number }
  ) {
    super(message)
    this.timeoutMs = options.timeoutMs
    this.request = options.request
    this.unfinished = options.unfinished ?? 1
  }

  override get name(): string {
    return this._tag
  }
}
