import type { Response } from "../Response.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * More redirects than `maxRedirects` (default 30). `history` holds the redirect responses that were
 * followed; `response` is the last of them, the redirect that was not followed (requests' `e.response`).
 */
export class TooManyRedirects extends RequestException {
  override readonly _tag = "TooManyRedirects" as const
  declare readonly response: Response
  readonly maxRedirects: number
  readonly history: ReadonlyArray<Response>

  constructor(
    message: string,
    options: RequestExceptionOptions & {
      readonly maxRedirects: number
      readonly history: ReadonlyArray<Response>
      readonly response: Response
    }
  ) {
    super(message, options)
    this.maxRedirects = options.maxRedirects
    this.history = options.history
  }
}
