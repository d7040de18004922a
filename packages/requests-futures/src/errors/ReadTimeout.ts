import type { RequestExceptionOptions } from "./RequestException.js"
import { Timeout } from "./Timeout.js"

/** The server sent no byte for longer than the read timeout (`timeout: { read }`, or a number). */
export class ReadTimeout extends Timeout {
  override readonly _tag = "ReadTimeout" as const
  /** Whether it stalled before the response headers or between body bytes. */
  readonly phase: "headers" | "body"

  constructor(
    message: string,
    options: RequestExceptionOptions & { readonly timeoutMs: number; readonly phase: "headers" | "body" }
  ) {
    super(message, options)
    this.phase = options.phase
  }
}
