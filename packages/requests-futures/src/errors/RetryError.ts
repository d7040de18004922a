import type { RequestError } from "./index.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/** Retries were exhausted; `last` is the error of the last attempt. */
export class RetryError extends RequestException {
  override readonly _tag = "RetryError" as const
  readonly attempts: number
  readonly last: RequestError

  constructor(
    message: string,
    options: RequestExceptionOptions & { readonly attempts: number; readonly last: RequestError }
  ) {
    super(message, options)
    this.attempts = options.attempts
    this.last = options.last
  }
}
