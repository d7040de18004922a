import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/** The request body could not be encoded: a `json` value that is not JSON (a BigInt, a cycle), a file that cannot be read. Nothing was sent. */
export class InvalidBody extends RequestException {
  override readonly _tag = "InvalidBody" as const
  readonly reason: string

  constructor(message: string, options: RequestExceptionOptions & { readonly reason: string }) {
    super(message, options)
    this.reason = options.reason
  }
}
