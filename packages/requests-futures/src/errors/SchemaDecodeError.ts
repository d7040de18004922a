import type { Response } from "../Response.js"
import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * A JSON body did not match the expected schema. The Promise API never checks schemas itself: this comes
 * from an Effect `Session` you passed in whose hooks use `Response.schemaJson`.
 */
export class SchemaDecodeError extends RequestException {
  override readonly _tag = "SchemaDecodeError" as const
  declare readonly response: Response

  constructor(message: string, options: RequestExceptionOptions & { readonly response: Response }) {
    super(message, options)
  }
}
