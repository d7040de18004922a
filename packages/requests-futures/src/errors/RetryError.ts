import type { Response } from "../Response.js"
import type { RetryAttempt } from "../types/options.js"
import type { RequestError } from "./index.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * Retries were exhausted on a status. `attempts` lists every attempt, the last one included
 * (`attempts.length` is how many were sent); `last` is the error of the last attempt (an `HTTPError`)
 * and `response` its response (requests' `e.response`).
 */
export class RetryError extends RequestException {
  override readonly _tag = "RetryError" as const
  declare readonly response: Response
  readonly attempts: ReadonlyArray<RetryAttempt>
  readonly last: RequestError

  constructor(
    message: string,
    options: RequestExceptionOptions & {
      readonly attempts: ReadonlyArray<RetryAttempt>
      readonly last: RequestError
      readonly response: Response
    }
  ) {
    super(message, options)
    this.attempts = options.attempts
    this.last = options.last
  }
}
