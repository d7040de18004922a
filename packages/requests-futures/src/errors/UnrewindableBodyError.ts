import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * A 307 or 308 redirect would send the body again, but it was streamed from its source (a
 * `ReadableStream`, a Node stream, an async iterable) and can be sent once only, as requests'
 * `UnrewindableBodyError`. Nothing was sent for the redirect.
 */
export class UnrewindableBodyError extends RequestException {
  override readonly _tag = "UnrewindableBodyError" as const
  /** The redirect's status: 307 or 308. */
  readonly status: number
  /** Where the redirect pointed. */
  readonly location: string

  constructor(message: string, options: RequestExceptionOptions & { readonly status: number; readonly location: string }) {
    super(message, options)
    this.status = options.status
    this.location = options.location
  }
}
