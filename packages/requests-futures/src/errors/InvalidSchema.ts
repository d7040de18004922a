import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * The URL, or a redirect's `Location`, has a scheme other than http or https (`ftp:`, `file:`).
 * A redirect to it is not followed.
 */
export class InvalidSchema extends RequestException {
  override readonly _tag = "InvalidSchema" as const
  /** The scheme, lower case, without the colon. */
  readonly scheme: string

  constructor(message: string, options: RequestExceptionOptions & { readonly scheme: string }) {
    super(message, options)
    this.scheme = options.scheme
  }
}
