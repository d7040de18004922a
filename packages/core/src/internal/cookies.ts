/**
 * The tough-cookie side of `Cookies.CookieJar`: jar options, synchronous store access and the
 * conversions between tough-cookie's `Cookie` and our read-only `CookieInfo`.
 *
 * @internal
 */
import { createRequire } from "node:module"
import type * as Tough from "tough-cookie"

let loaded: typeof Tough | undefined

/**
 * tough-cookie, loaded when a jar first stores or parses a cookie. Loading it (with its public-suffix
 * list) costs about 12 MiB of RSS and 100 ms of startup, which a session that never sees a cookie does
 * not pay. Its CommonJS build, loaded synchronously, because the jar's API is synchronous; it is the
 * only copy this package uses.
 */
export const tough = (): typeof Tough => loaded ??= createRequire(import.meta.url)("tough-cookie") as typeof Tough

/** What the public module reports about one cookie (kept here so both sides share it). */
export interface CookieInfo {
  readonly name: string
  readonly value: string
  /** Without a leading dot; `""` for a cookie set by the user without a domain (sent to every host). */
  readonly domain: string
  readonly path: string
  readonly secure: boolean
  readonly httpOnly: boolean
  /** Absent for a session cookie (no Expires / Max-Age). */
  readonly expires?: Date
  /** Sent only to exactly `domain`, not to its subdomains (a Set-Cookie without a Domain attribute). */
  readonly hostOnly: boolean
}

/**
 * A jar over a synchronous `MemoryCookieStore`.
 *
 * - `rejectPublicSuffixes`: a server may not set `Domain=com` (supercookies); IP literals and
 *   special-use names are still accepted (tough-cookie skips the suffix check for IPs).
 * - `allowSpecialUseDomain`: `localhost`, `*.test`, `*.local`... are ordinary hosts here, which is
 *   what a client talking to a local test server needs.
 * - `allowSecureOnLocal: false`: tough-cookie's default treats http://localhost and http://127.0.0.1
 *   as secure contexts (the browser "potentially trustworthy" rule) and would send `Secure` cookies
 *   over plain http there. We keep RFC 6265 (and Python's http.cookiejar): `Secure` means https only.
 * - `enforceSecureOriginOnStorage` (default true): a `Secure` cookie set over plain http is dropped
 *   (RFC 6265bis): it could never be sent back over http, and storing it would let a network
 *   attacker plant cookies for the https site.
 */
export const makeToughJar = (store: Tough.MemoryCookieStore): Tough.CookieJar =>
  new (tough().CookieJar)(store, {
    rejectPublicSuffixes: true,
    allowSpecialUseDomain: true,
    allowSecureOnLocal: false,
    enforceSecureOriginOnStorage: true,
    looseMode: false,
    prefixSecurity: "silent"
  })

// MemoryCookieStore calls its callbacks synchronously; these wrappers turn that into plain calls.

export const allCookies = (store: Tough.MemoryCookieStore): Array<Tough.Cookie> => {
  let out: Array<Tough.Cookie> = []
  store.getAllCookies((error, cookies) => {
    if (error === null && cookies !== undefined) out = cookies
  })
  return out
}

export const putCookie = (store: Tough.MemoryCookieStore, cookie: Tough.Cookie): void => {
  store.putCookie(cookie, noop)
}

export const removeCookie = (store: Tough.MemoryCookieStore, cookie: Tough.Cookie): void => {
  store.removeCookie(cookie.domain ?? "", cookie.path ?? "", cookie.key, noop)
}

export const removeDomain = (store: Tough.MemoryCookieStore, domain: string): void => {
  // An empty path removes the whole domain.
  store.removeCookies(domain, "", noop)
}

export const removeAll = (store: Tough.MemoryCookieStore): void => {
  store.removeAllCookies(noop)
}

const noop = (): void => {}

/** Dates past this are invalid in JS; a huge Max-Age is clamped to it rather than overflowing. */
const maxTime = 8_640_000_000_000_000

/** The absolute expiry (ms) of a Max-Age or Expires at `now`; `-Infinity` for "already expired". */
export const expiryOf = (maxAge: number | undefined, expires: Date | undefined, now: number): number | undefined => {
  if (maxAge !== undefined) return maxAge <= 0 ? -Infinity : Math.min(now + maxAge * 1000, maxTime)
  return expires?.getTime()
}

/**
 * RFC 6265 §5.3 step 3 fixes a Max-Age expiry when the cookie is received. tough-cookie instead
 * counts Max-Age from `lastAccessed`, which every matching `getCookies` refreshes: a Max-Age=1
 * cookie used every second would never expire. Turning Max-Age into an absolute Expires at
 * receipt gives the RFC behaviour.
 */
export const fixExpiry = (cookie: Tough.Cookie, now: number): void => {
  if (typeof cookie.maxAge === "number") {
    const at = expiryOf(cookie.maxAge, undefined, now)!
    cookie.expires = new Date(Number.isFinite(at) ? at : 0)
    cookie.maxAge = null
  }
}

export const isExpired = (cookie: Tough.Cookie, now: number): boolean => {
  const at = cookie.expiryTime()
  return at !== undefined && at <= now
}

export const toInfo = (cookie: Tough.Cookie): CookieInfo => {
  const at = cookie.expiryTime()
  const base = {
    name: cookie.key,
    value: cookie.value,
    domain: cookie.domain ?? "",
    path: cookie.path ?? "/",
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    hostOnly: cookie.hostOnly ?? false
  }
  return at !== undefined && Number.isFinite(at) ? { ...base, expires: new Date(at) } : base
}

/** A copy that can live in another store (tough-cookie's own `clone` round-trips through JSON). */
export const cloneCookie = (cookie: Tough.Cookie): Tough.Cookie => new (tough().Cookie)(cookie)

/** A cookie the user set without a domain: requests' `domain=''`, which matches every host. */
export interface DomainlessCookie {
  readonly name: string
  readonly value: string
  readonly path: string
  readonly secure: boolean
  readonly httpOnly: boolean
  /** Absolute ms; `undefined` for a session cookie. */
  readonly expiresAt: number | undefined
}

export const domainlessKey = (name: string, path: string): string => `${path}\n${name}`

export const domainlessInfo = (cookie: DomainlessCookie): CookieInfo => {
  const base = {
    name: cookie.name,
    value: cookie.value,
    domain: "",
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    hostOnly: false
  }
  return cookie.expiresAt === undefined ? base : { ...base, expires: new Date(cookie.expiresAt) }
}

/** The canonical form tough-cookie stores domains in (lower case, punycode, no leading dot). */
export const canonicalDomain = (domain: string): string => tough().canonicalDomain(domain.replace(/^\.+/, "")) ?? ""

export const pathMatch = (reqPath: string, cookiePath: string): boolean => tough().pathMatch(reqPath, cookiePath)

/** Whether a stored cookie would be sent to `host` (ignoring path, Secure and expiry). */
export const appliesToHost = (cookie: Tough.Cookie, host: string): boolean =>
  cookie.hostOnly === true ? cookie.domain === host : domainMatchesHost(host, cookie.domain)

const domainMatchesHost = (host: string, domain: string | null): boolean =>
  domain !== null && tough().domainMatch(host, domain, false) === true

// A name must be an RFC 6265 token; a value may not hold what would end it or break the header.
const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// eslint-disable-next-line no-control-regex
const badValueRe = /[\u0000-\u001f\u007f;]/

/** Why a user-set cookie cannot be sent, or `undefined`. */
export const invalidCookie = (name: string, value: string): string | undefined => {
  if (!tokenRe.test(name)) return `invalid cookie name ${JSON.stringify(name)}: it must be a token`
  if (badValueRe.test(value)) {
    return `invalid value for cookie ${JSON.stringify(name)}: no control characters or ";"`
  }
  return undefined
}

export const isSecureScheme = (protocol: string): boolean => protocol === "https:" || protocol === "wss:"
