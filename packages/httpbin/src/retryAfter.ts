import type { OutgoingHttpHeaders } from "node:http"
import { DIGITS } from "./parse.js"
import type { Exchange } from "./request.js"
import { badRequest } from "./response.js"

/**
 * The `Retry-After` a response asked for by its query, for /status and /flaky:
 * `?retry_after=S` sends `Retry-After: S` (delay-seconds), `?retry_after_date=S` an HTTP-date at
 * least S seconds ahead (rounded up to the next whole second, as an HTTP-date has no fraction).
 * Neither: no header, as httpbin. Anything but a whole number of seconds is a 400.
 */
export const retryAfterHeaders = (ex: Exchange): OutgoingHttpHeaders => {
  const seconds = wholeSeconds(ex, "retry_after")
  if (seconds !== undefined) return { "Retry-After": String(seconds) }
  const ahead = wholeSeconds(ex, "retry_after_date")
  if (ahead === undefined) return {}
  const at = Math.ceil((Date.now() + ahead * 1000) / 1000) * 1000
  return { "Retry-After": new Date(at).toUTCString() }
}

const wholeSeconds = (ex: Exchange, name: string): number | undefined => {
  const text = ex.args.get(name)
  if (text === undefined) return undefined
  if (!DIGITS.test(text)) throw badRequest(`${name} must be a whole number of seconds`)
  return Number(text)
}
