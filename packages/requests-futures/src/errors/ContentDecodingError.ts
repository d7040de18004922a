import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/** The server said `Content-Encoding: gzip` (or deflate, br) but the body does not decode. */
export class ContentDecodingError extends RequestException {
  override readonly _tag = "ContentDecodingError" as const
  /** The content encoding that failed: `"gzip"`, `"deflate"` or `"br"`. */
  readonly encoding: string

  constructor(message: string, options: RequestExceptionOptions & { readonly encoding: string }) {
    super(message, options)
    this.encoding = options.encoding
  }
}
