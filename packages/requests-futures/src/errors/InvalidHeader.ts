import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/** A header name or value is not valid HTTP: CR or LF (header injection), NUL, a name that is not a token. Nothing was sent. */
export class InvalidHeader extends RequestException {
  override readonly _tag = "InvalidHeader" as const
  /** The header's name. */
  readonly header: string
  readonly reason: string

  constructor(message: string, options: RequestExceptionOptions & { readonly header: string; readonly reason: string }) {
    super(message, options)
    this.header = options.header
    this.reason = options.reason
  }
}
