import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/** The URL has a scheme but cannot be parsed or has no host (`"http://"`). Nothing was sent. */
export class InvalidURL extends RequestException {
  override readonly _tag = "InvalidURL" as const
  readonly reason: string

  constructor(message: string, options: RequestExceptionOptions & { readonly reason: string }) {
    super(message, options)
    this.reason = options.reason
  }
}
