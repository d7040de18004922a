import {
  challengeHeader,
  digestAlgorithm,
  parseDigestAuthorization,
  verifyDigest,
  type Qop
} from "../digest.js"
import type { Exchange } from "../request.js"
import { isTruthyFlag } from "../parse.js"
import { empty, sendJson, statusResponse } from "../response.js"
import { get, type Route } from "../router.js"
import { parseCookies, setCookieHeader } from "./cookies.js"

/** Auth endpoints: /basic-auth, /hidden-basic-auth, /bearer, /digest-auth. */

const basicCredentials = (ex: Exchange): { readonly user: string; readonly password: string } | undefined => {
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(ex.header("authorization") ?? "")
  if (match === null) return undefined
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon === -1) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

const basicAuth = (failureStatus: number) => (ex: Exchange) => {
  const [user = "", password = ""] = ex.params
  const credentials = basicCredentials(ex)
  if (credentials?.user !== user || credentials.password !== password) return statusResponse(ex, failureStatus)
  sendJson(ex, { authenticated: true, user })
}

/**
 * Follows httpbin: a challenge sets the `stale_after` and `fake` cookies; `stale_after`
 * (the optional last path segment) makes the server answer stale=TRUE after that many
 * successful logins; ?require-cookie=true insists the client returns the `fake` cookie.
 */
const digestAuth = (ex: Exchange) => {
  const [qopParam, user = "", password = "", algorithmParam, staleAfter = "never"] = ex.params
  const qop: Qop | undefined = qopParam === "auth" || qopParam === "auth-int" ? qopParam : undefined
  const algorithm = digestAlgorithm(algorithmParam)
  const secure = ex.scheme === "https"
  const cookies = parseCookies(ex.header("cookie"))
  const requireCookie = isTruthyFlag(ex.args.get("require-cookie"))

  const challenge = (stale: boolean, extraCookies: ReadonlyArray<string> = []) =>
    empty(ex, 401, {
      "WWW-Authenticate": challengeHeader(ex.server.nonces, { qop, algorithm, stale }),
      "Set-Cookie": [
        setCookieHeader("stale_after", staleAfter, secure),
        ...extraCookies,
        setCookieHeader("fake", "fake_value", secure)
      ]
    })

  const authorization = ex.header("authorization")
  const credentials = authorization === undefined ? undefined : parseDigestAuthorization(authorization)
  if (credentials === undefined || (requireCookie && ex.header("cookie") === undefined)) return challenge(false)
  if (requireCookie && cookies.fake !== "fake_value") {
    return sendJson(ex, { errors: ["missing cookie set on challenge"] }, 403, {
      "Set-Cookie": setCookieHeader("fake", "fake_value", secure)
    })
  }
  const nonce = credentials.get("nonce") ?? ""
  const lastNonce = setCookieHeader("last_nonce", nonce, secure)
  if (cookies.last_nonce === nonce || cookies.stale_after === "0") return challenge(true, [lastNonce])

  const verdict = verifyDigest(
    credentials,
    { method: ex.method, target: ex.target, body: ex.body, user, password, algorithm, qop },
    ex.server.nonces
  )
  if (!verdict.ok) return challenge(verdict.stale, [lastNonce])

  const setCookies = [setCookieHeader("fake", "fake_value", secure)]
  const remaining = cookies.stale_after
  if (remaining !== undefined) {
    const n = Number.parseInt(remaining, 10)
    setCookies.push(setCookieHeader("stale_after", Number.isNaN(n) ? "never" : String(n - 1), secure))
  }
  sendJson(ex, { authenticated: true, user }, 200, { "Set-Cookie": setCookies })
}

export const authRoutes: ReadonlyArray<Route> = [
  get("/basic-auth/<user>/<passwd>", basicAuth(401)),
  get("/hidden-basic-auth/<user>/<passwd>", basicAuth(404)),
  get("/bearer", (ex) => {
    const authorization = ex.header("authorization")
    if (authorization === undefined || !authorization.startsWith("Bearer ")) {
      return empty(ex, 401, { "WWW-Authenticate": "Bearer" })
    }
    sendJson(ex, { authenticated: true, token: authorization.slice("Bearer ".length) })
  }),
  get("/digest-auth/<qop>/<user>/<passwd>", digestAuth),
  get("/digest-auth/<qop>/<user>/<passwd>/<algorithm>", digestAuth),
  get("/digest-auth/<qop>/<user>/<passwd>/<algorithm>/<stale_after>", digestAuth)
]
