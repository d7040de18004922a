import type { Response } from "../Response.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * `response.raiseForStatus()` on a 4xx or 5xx response. The response is on the error.
 *
 * @example
 * ```ts
 * try {
 *   (await session.get(url)).raiseForStatus()
 * } catch (error) {
 *   if (error instanceof HTTPError && error.response.statusCode === 404) return undefined
 *   throw error
 * }
 * ```
 */
export class HTTPError extends RequestException {
  override readonly _tag = "HTTPError" as const
  declare readonly response: Response

  constructor(message: string, options: RequestExceptionOptions & { readonly response: Response }) {
    super(message, options)
  }
}
