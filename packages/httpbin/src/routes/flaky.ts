import { isTruthyFlag, pyInt } from "../parse.js"
import { type Exchange, jsonSafe } from "../request.js"
import { badRequest, sendJson } from "../response.js"
import { retryAfterHeaders } from "../retryAfter.js"
import { route, type Route } from "../router.js"

/**
 * /flaky/:key/:n — fails the first n requests for a key, then succeeds: a server that recovers, for
 * testing retries. Counts are per server (`HttpbinServer.flakyCount(key)`), kept until reset.
 */

const failureStatus = (ex: Exchange): number => {
  const text = ex.args.get("status")
  if (text === undefined) return 503
  const code = pyInt(text)
  if (code === undefined || code < 400 || code > 599) throw badRequest("status must be a 4xx or 5xx code")
  return code
}

const reset = (ex: Exchange, key: string): void => {
  ex.server.flaky.delete(key)
  sendJson(ex, { attempt: 0, key })
}

export const flakyRoutes: ReadonlyArray<Route> = [
  route("/flaky/<key>/<int:n>", "*", (ex) => {
    const key = ex.params[0] ?? ""
    if (isTruthyFlag(ex.args.get("reset"))) return reset(ex, key)
    const failures = Number(ex.params[1])
    // Checked before counting: a request refused for its query is not an attempt.
    const status = failureStatus(ex)
    const retryAfter = retryAfterHeaders(ex)
    const attempt = (ex.server.flaky.get(key) ?? 0) + 1
    ex.server.flaky.set(key, attempt)
    if (attempt <= failures) {
      // As /fault/close-before-response: the client sees the connection close before any response.
      if (isTruthyFlag(ex.args.get("close"))) return void ex.breakConnection().destroy()
      return sendJson(ex, { attempt, error: `failing attempt ${attempt} of ${failures}`, key }, status, retryAfter)
    }
    sendJson(ex, { attempt, data: jsonSafe(ex.body), key, method: ex.method })
  }),
  route("/flaky/<key>", ["DELETE"], (ex) => reset(ex, ex.params[0] ?? ""))
]
