/**
 * Work was submitted to an executor that was shut down, or a request made on a closed session
 * (Python's `RuntimeError: cannot schedule new futures after shutdown`). Thrown by `submit` and by the
 * request methods themselves, at once.
 */
export class ExecutorShutdown extends Error {
  readonly _tag = "ExecutorShutdown" as const

  override get name(): string {
    return this._tag
  }
}
