import type { RequestExceptionOptions } from "./RequestException.js"
import { Timeout } from "./Timeout.js"

/**
 * The request's `deadline` passed before it was done: it covers the time queued, every attempt, the
 * backoff between them and the body; what was in flight was stopped (its socket closed).
 */
export class DeadlineExceeded extends Timeout {
  override readonly _tag = "DeadlineExceeded" as const
  readonly deadlineMs: number
  /** Where the request was when the deadline passed. */
  readonly phase: "queued" | "running" | "backoff"

  constructor(
    message: string,
    options: RequestExceptionOptions & { readonly deadlineMs: number; readonly phase: "queued" | "running" | "backoff" }
  ) {
    super(message, { ...options, timeoutMs: options.deadlineMs })
    this.deadlineMs = options.deadlineMs
    this.phase = options.phase
  }
}
