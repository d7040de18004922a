import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * The request's `background` work failed in its worker thread: the exported function threw or rejected,
 * its module could not be loaded, the export is missing (or not a function / a `Schema`), or its result
 * cannot be sent back (a value `structuredClone` refuses). The `cause` is what it threw.
 */
export class BackgroundError extends RequestException {
  override readonly _tag = "BackgroundError" as const
  /** Which work: `function "parse" of file:///...`, `Schema "User" of file:///...`. */
  readonly work: string

  constructor(message: string, options: RequestExceptionOptions & { readonly work: string }) {
    super(message, options)
    this.work = options.work
  }
}
