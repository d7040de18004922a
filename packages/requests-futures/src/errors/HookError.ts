import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * A function of yours threw or rejected while the request ran: a response hook, the background callback,
 * or an auth function. The `cause` is what it threw. (A hook that throws a `RequestException`, such as
 * `raiseForStatus()`'s `HTTPError`, fails the request with that error itself.)
 */
export class HookError extends RequestException {
  override readonly _tag = "HookError" as const
  /** Which one: `"response hook"`, `"background callback"` or `"auth"`. */
  readonly hook: string

  constructor(message: string, options: RequestExceptionOptions & { readonly hook: string }) {
    super(message, options)
    this.hook = options.hook
  }
}
