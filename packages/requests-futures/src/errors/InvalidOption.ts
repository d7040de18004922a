import { RequestException, type RequestExceptionOptions, type RequestInfo } from "./RequestException.js"

/** What `request` holds for a session's setting, refused before any request was made. */
const noRequest: RequestInfo = Object.freeze({ method: "", url: "" })

/**
 * An option has a value that cannot be used (requests raises `ValueError`): a negative or `NaN`
 * `timeout`, a `maxRedirects` that is not an integer >= 0, a method that is not an HTTP token, a
 * `params` value that is an object. Nothing was sent. A session's setting is refused by its constructor
 * (or setter), at once, with `request` empty (`method` and `url` are `""`); a request's by its future or
 * promise.
 *
 * @example
 * ```ts
 * try {
 *   new Session({ timeout: -1 })
 * } catch (error) {
 *   if (error instanceof InvalidOption) console.log(error.option, error.value) // timeout -1
 * }
 * ```
 */
export class InvalidOption extends RequestException {
  override readonly _tag = "InvalidOption" as const
  /** The option as it was given: `"timeout"`, `"timeout.connect"`, `"maxRedirects"`, `"params.q"`, `"method"`... */
  readonly option: string
  /** The value that was refused. */
  readonly value: unknown
  /** What a valid value is. */
  readonly reason: string

  constructor(
    message: string,
    options: Omit<RequestExceptionOptions, "request"> & {
      readonly request?: RequestInfo | undefined
      readonly option: string
      readonly value: unknown
      readonly reason: string
    }
  ) {
    super(message, { ...options, request: options.request ?? noRequest })
    this.option = options.option
    this.value = options.value
    this.reason = options.reason
  }
}
