import { RequestException, type RequestExceptionOptions } from "./RequestException.js"

/**
 * The worker thread running the request's `background` work died (`process.exit`, out of memory): only
 * this request fails, and the pool starts a new thread in its place.
 */
export class WorkerCrashed extends RequestException {
  override readonly _tag = "WorkerCrashed" as const
  /** Which work was running. */
  readonly work: string

  constructor(message: string, options: RequestExceptionOptions & { readonly work: string }) {
    super(message, options)
    this.work = options.work
  }
}
