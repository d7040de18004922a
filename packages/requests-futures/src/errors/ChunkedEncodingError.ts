import { RequestException } from "./RequestException.js"

/**
 * The body ended before it was complete: a chunked body cut off, fewer bytes than `Content-Length`, a
 * connection reset in the middle of the body.
 */
export class ChunkedEncodingError extends RequestException {
  override readonly _tag = "ChunkedEncodingError" as const
}
