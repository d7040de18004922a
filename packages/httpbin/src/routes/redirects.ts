import type { Exchange } from "../request.js"
import { pyInt } from "../parse.js"
import { badRequest, empty, redirect, safeHeaderValue } from "../response.js"
import { get, route, type Route } from "../router.js"

/** Redirect endpoints: /redirect/:n, /relative-redirect/:n, /absolute-redirect/:n, /redirect-to. */

// httpbin asserts n > 0 and so answers 500 to /redirect/0; we say 400.
const count = (ex: Exchange): number => {
  const n = Number(ex.params[0])
  if (!(n > 0)) throw badRequest("the number of redirects must be at least 1")
  return n
}

const absoluteRedirect = (ex: Exchange) => {
  const n = count(ex)
  redirect(ex, ex.externalUrl(n === 1 ? "/get" : `/absolute-redirect/${n - 1}`))
}

const REDIRECT_TO_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"]

export const redirectRoutes: ReadonlyArray<Route> = [
  get("/redirect/<int:n>", (ex) => {
    const n = count(ex)
    const absolute = (ex.args.get("absolute") ?? "false").toLowerCase() === "true"
    if (n === 1) return redirect(ex, absolute ? ex.externalUrl("/get") : "/get")
    if (absolute) return redirect(ex, ex.externalUrl(`/absolute-redirect/${n - 1}`))
    return redirect(ex, `/relative-redirect/${n - 1}`)
  }),
  // httpbin answers this one with an empty body rather than Flask's redirect page.
  get("/relative-redirect/<int:n>", (ex) => {
    const n = count(ex)
    empty(ex, 302, { Location: n === 1 ? "/get" : `/relative-redirect/${n - 1}` })
  }),
  get("/absolute-redirect/<int:n>", absoluteRedirect),
  route("/redirect-to", REDIRECT_TO_METHODS, (ex) => {
    // httpbin reads only the query string (case-insensitively); a form body is accepted too,
    // as its API docs promise for POST/PUT/PATCH.
    const form = ex.method === "GET" || ex.method === "HEAD" ? undefined : ex.parsedBody.form
    const url = ex.args.getIgnoreCase("url") ?? form?.getIgnoreCase("url")
    if (url === undefined) throw badRequest("the url parameter is required")
    const statusText = ex.args.getIgnoreCase("status_code") ?? form?.getIgnoreCase("status_code")
    let status = 302
    if (statusText !== undefined) {
      const code = pyInt(statusText)
      if (code === undefined) throw badRequest("status_code must be an integer")
      if (code >= 300 && code < 400) status = code
    }
    empty(ex, status, { Location: safeHeaderValue(url) })
  })
]
