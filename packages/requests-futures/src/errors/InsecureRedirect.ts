import type { Response } from "../Response.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * A redirect from https to plain http was refused: the request or its session set
 * `allowDowngrade: false`. Nothing was sent to the http URL; `response` is the redirect.
 *
 * @example
 * ```ts
 * try {
 *   await session.get(url, { allowDowngrade: false })
 * } catch (error) {
 *   if (error instanceof InsecureRedirect) console.log("refused", error.location)
 * }
 * ```
 */
export class InsecureRedirect extends RequestException {
  override readonly _tag = "InsecureRedirect" as const
  declare readonly response: Response
  /** Where the redirect pointed (its password, if it had one, redacted). */
  readonly location: string

  constructor(message: string, options: RequestExceptionOptions & { readonly location: string; readonly response: Response }) {
    super(message, options)
    this.location = options.location
  }
}
