import type { Exchange } from "../request.js"
import { dict } from "../json.js"
import { badRequest, redirect, sendJson } from "../response.js"
import { get, type Route } from "../router.js"

/** Cookie endpoints: /cookies, /cookies/set, /cookies/set/:name/:value, /cookies/delete. */

// Analytics cookies of the httpbin.org deployment, hidden unless ?show_env.
const ENV_COOKIES = new Set([
  "_gauges_unique",
  "_gauges_unique_year",
  "_gauges_unique_month",
  "_gauges_unique_day",
  "_gauges_unique_hour",
  "__utmz",
  "__utma",
  "__utmb"
])

/** Cookie header pairs; the first of duplicates wins, as in werkzeug's dict(request.cookies.items()). */
export const parseCookies = (header: string | undefined): Record<string, string> => {
  const cookies = dict<string>()
  if (header === undefined) return cookies
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=")
    const name = (eq === -1 ? "" : piece.slice(0, eq)).trim()
    if (name === "" || name in cookies) continue
    let value = piece.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\([0-7]{3}|.)/g, (_, esc: string) =>
        esc.length === 3 ? String.fromCharCode(parseInt(esc, 8)) : esc
      )
      // werkzeug's octal escapes encode UTF-8 bytes
      value = Buffer.from(value, "latin1").toString("utf8")
    }
    cookies[name] = value
  }
  return cookies
}

const COOKIE_SAFE = /^[\w!#$%&'()*+\-./:<=>?@[\]^`{|}~]*$/

/** werkzeug's dump_cookie quoting: values outside its safe set are quoted with octal escapes. */
export const cookieValue = (value: string): string => {
  if (COOKIE_SAFE.test(value)) return value
  let out = '"'
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte)
    if (ch === '"' || ch === "\\") out += "\\" + ch
    else if (byte < 0x20 || byte > 0x7e || ch === "," || ch === ";") out += "\\" + byte.toString(8).padStart(3, "0")
    else out += ch
  }
  return out + '"'
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const cookieName = (name: string): string => {
  if (!TOKEN.test(name)) throw badRequest(`invalid cookie name ${JSON.stringify(name)}`)
  return name
}

export const setCookieHeader = (name: string, value: string, secure: boolean): string =>
  `${cookieName(name)}=${cookieValue(value)};${secure ? " Secure;" : ""} Path=/`

const deleteCookieHeader = (name: string): string =>
  `${cookieName(name)}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/`

const isSecure = (ex: Exchange) => ex.scheme === "https"

const redirectToCookies = (ex: Exchange, setCookies: ReadonlyArray<string>) =>
  redirect(ex, "/cookies", 302, setCookies.length > 0 ? { "Set-Cookie": [...setCookies] } : {})

export const cookieRoutes: ReadonlyArray<Route> = [
  get("/cookies", (ex) => {
    const cookies = parseCookies(ex.header("cookie"))
    if (!ex.args.has("show_env")) for (const name of ENV_COOKIES) delete cookies[name]
    sendJson(ex, { cookies })
  }),
  get("/cookies/set", (ex) =>
    redirectToCookies(
      ex,
      ex.args.firstValues().map(([name, value]) => setCookieHeader(name, value, isSecure(ex)))
    )
  ),
  get("/cookies/set/<name>/<value>", (ex) =>
    redirectToCookies(ex, [setCookieHeader(ex.params[0] ?? "", ex.params[1] ?? "", isSecure(ex))])
  ),
  get("/cookies/delete", (ex) =>
    redirectToCookies(ex, ex.args.firstValues().map(([name]) => deleteCookieHeader(name)))
  )
]
