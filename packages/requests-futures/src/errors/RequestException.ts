import type { Response } from "../Response.js"

/** The request an error is about: its method and URL (the final one, after redirects, where there was one). */
export interface RequestInfo {
  readonly method: string
  readonly url: string
}

export interface RequestExceptionOptions {
  readonly request: RequestInfo
  /** The response, for errors that have one (`HTTPError`, `JSONDecodeError`, `TooManyRedirects`, `RetryError`). */
  readonly response?: Response | undefined
  /** The underlying error (a socket error from undici, a `SyntaxError` from `JSON.parse`...). */
  readonly cause?: unknown
}

/**
 * The base of every error a request can fail with (requests' `RequestException`): catch it to catch
 * them all, or switch on `error._tag` to tell them apart.
 *
 * @example
 * ```ts
 * try {
 *   await session.get(url)
 * } catch (error) {
 *   if (error instanceof RequestException) console.log(error._tag, error.request.url)
 * }
 * ```
 */
export class RequestException extends Error {
  /** The class name, for `switch` statements: `"ConnectionError"`, `"ReadTimeout"`... */
  readonly _tag: string = "RequestException"
  readonly request: RequestInfo
  readonly response: Response | undefined

  constructor(message: string, options: RequestExceptionOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.request = options.request
    this.response = options.response
  }

  override get name(): string {
    return this._tag
  }
}
