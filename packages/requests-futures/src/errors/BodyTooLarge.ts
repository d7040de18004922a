import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * The body passed `maxBodySize` bytes (as received, or once decoded from gzip, deflate or br): reading
 * stopped there and the connection was closed, so the rest was never held in memory.
 */
export class BodyTooLarge extends RequestException {
  override readonly _tag = "BodyTooLarge" as const
  /** The `maxBodySize` that was passed, in bytes. */
  readonly limit: number
  /** The bytes seen when reading stopped (or the `Content-Length` announced). */
  readonly size: number

  constructor(message: string, options: RequestExceptionOptions & { readonly limit: number; readonly size: number }) {
    super(message, options)
    this.limit = options.limit
    this.size = options.size
  }
}
