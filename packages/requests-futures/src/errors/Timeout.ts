import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * The request timed out (the `timeout` option): the base of `ConnectTimeout` and `ReadTimeout`,
 * as in requests. Catch it to handle both.
 *
 * Not to be confused with `TimeoutError`, which `future.result(timeoutMs)` throws when the future is not
 * done in time (the request goes on).
 */
export class Timeout extends RequestException {
  override readonly _tag: "Timeout" | "ConnectTimeout" | "ReadTimeout" = "Timeout"
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number

  constructor(message: string, options: RequestExceptionOptions & { readonly timeoutMs: number }) {
    super(message, options)
    this.timeoutMs = options.timeoutMs
  }
}
