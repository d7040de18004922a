import type { Response } from "../Response.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/** `response.json()` on a body that is not JSON (an empty body is not JSON). The `cause` is the `SyntaxError`. */
export class JSONDecodeError extends RequestException {
  override readonly _tag = "JSONDecodeError" as const
  declare readonly response: Response

  constructor(message: string, options: RequestExceptionOptions & { readonly response: Response }) {
    super(message, options)
  }
}
