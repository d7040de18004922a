import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * The request timed out: the base of `ConnectTimeout` and `ReadTimeout` (the `timeout` option, as in
 * requests) and `DeadlineExceeded` (the `deadline` option). Catch it to handle them all.
 *
 * Not to be confused with `TimeoutError`, which `future.result(timeoutMs)` throws when the future is not
 * done in time (the request goes on).
 */
export class Timeout extends RequestException {
  override readonly _tag: "Timeout" | "ConnectTimeout" | "ReadTimeout" | "DeadlineExceeded" = "Timeout"
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number

  constructor(message: string, options: RequestExceptionOptions & { readonly timeoutMs: number }) {
    super(message, options)
    this.timeoutMs = options.timeoutMs
  }
}
