import type { Response } from "../Response.js"
import type { RequestError } from "./index.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * Retries were exhausted on a status; `last` is the error of the last attempt (an `HTTPError`) and
 * `response` its response (requests' `e.response`).
 */
export class RetryError extends RequestException {
  override readonly _tag = "RetryError" as const
  declare readonly response: Response
  readonly attempts: number
  readonly last: RequestError

  constructor(
    message: string,
    options: RequestExceptionOptions & {
      readonly attempts: number
      readonly last: RequestError
      readonly response: Response
    }
  ) {
    super(message, options)
    this.attempts = options.attempts
    this.last = options.last
  }
}
