/**
 * An RFC 6265 cookie jar (requests' `RequestsCookieJar`), kept by a session across its requests.
 *
 * Cookies from `Set-Cookie` are stored and sent back according to their domain (host-only or
 * domain-wide), path, `Secure`, expiry and `Max-Age`, on top of tough-cookie. Choices:
 *
 * - `Secure` cookies are sent over https only, also to localhost and loopback addresses (RFC 6265
 *   and Python's http.cookiejar; tough-cookie's default would send them over http://localhost).
 *   A `Secure` cookie set by a plain-http response is dropped (RFC 6265bis).
 * - Hosts are compared exactly: a cookie from http://127.0.0.1 is not sent to http://localhost,
 *   nor the other way round. `localhost` and IP literals are accepted as cookie hosts.
 * - `Max-Age` counts from when the cookie was received; `Max-Age=0` or a past `Expires` deletes
 *   the stored cookie of the same name, domain and path.
 * - A cookie set by the user without a domain (`jar.set("k", "v")`, requests' `domain=''`) is sent
 *   to every host, unless a stored cookie of the same name applies to the request.
 * - Printed (`console.log`, `String(jar)`), a jar shows its cookies' names, domains and paths,
 *   never their values: `theme=*** for 127.0.0.1/`.
 *
 * @since 0.1.0
 */
import * as Inspectable from "effect/Inspectable"
import type * as Tough from "tough-cookie"
import * as internal from "./internal/cookies.js"

export type CookieInfo = internal.CookieInfo

/** Where and how long a cookie set by the user applies. */
export interface CookieOptions {
  /** Without one (or with `""`), the cookie is sent to every host. A leading dot is ignored. */
  readonly domain?: string | undefined
  /** Defaults to "/". */
  readonly path?: string | undefined
  readonly secure?: boolean | undefined
  readonly httpOnly?: boolean | undefined
  /** Sent only to exactly `domain`, not its subdomains (default false, as requests' `jar.set`). */
  readonly hostOnly?: boolean | undefined
  readonly expires?: Date | undefined
  /** Seconds from now; wins over `expires`. Zero or less deletes the cookie. */
  readonly maxAge?: number | undefined
}

/** A cookie as a user gives it: `CookieInfo` (from `list()` or iteration) fits. */
export interface CookieInit extends CookieOptions {
  readonly name: string
  readonly value: string
}

/** Selects cookies by name for `get` and `delete`: unset fields match anything. */
export interface CookieFilter {
  readonly domain?: string | undefined
  readonly path?: string | undefined
}

const TypeId: unique symbol = Symbol.for("@requests-futures/core/CookieJar")

export class CookieJar implements Iterable<CookieInfo> {
  readonly [TypeId] = TypeId
  // Made on first use: a jar that never holds a cookie never loads tough-cookie (see internal.tough).
  #storeValue: Tough.MemoryCookieStore | undefined = undefined
  #jarValue: Tough.CookieJar | undefined = undefined
  get #store(): Tough.MemoryCookieStore {
    return this.#storeValue ??= new (internal.tough().MemoryCookieStore)()
  }
  get #jar(): Tough.CookieJar {
    return this.#jarValue ??= internal.makeToughJar(this.#store)
  }
  /** Keyed by path and name; usually empty, so the per-request cost is a `size` check. */
  readonly #domainless = new Map<string, internal.DomainlessCookie>()
  /**
   * False when the tough-cookie store certainly holds nothing, so `cookieHeader` can answer without
   * calling it. It may stay true after tough-cookie drops expired cookies on its own: that only
   * costs a lookup.
   */
  #maybeStored = false

  constructor(init?: Readonly<Record<string, string>> | Iterable<CookieInit>) {
    if (init !== undefined) this.update(init)
  }

  /** A jar holding `init`: name → value pairs (sent to every host) or cookies. */
  static make(init?: Readonly<Record<string, string>> | Iterable<CookieInit>): CookieJar {
    return new CookieJar(init)
  }

  /**
   * The jar for one request: `base` (the session's) with `extra` (the request's `cookies`) over it.
   * A request cookie replaces the session's cookies of the same name; `base` is not changed.
   * Without `extra` (the usual case) this is `base` itself.
   *
   * Request cookies given by name (a record, or a jar's domainless cookies) are domainless as in
   * requests: sent to every host, also after a redirect to another host. Pass `scope`, the
   * request's URL, to bind them to its host instead (host-only, path "/"): a redirect elsewhere
   * then does not carry them, and only the session's cookies for that host are replaced.
   *
   * Throws a `TypeError` for a record cookie `set` would refuse (see there).
   */
  static merged(
    base: CookieJar,
    extra: Readonly<Record<string, string>> | CookieJar | undefined,
    scope?: string
  ): CookieJar {
    if (extra === undefined) return base
    let host: string | undefined
    if (scope !== undefined) {
      try {
        host = internal.canonicalDomain(new URL(scope).hostname) || undefined
      } catch {
        // Not a URL: the request will fail on it anyway; fall back to domainless cookies.
      }
    }
    if (extra instanceof CookieJar) {
      if (extra.#isEmpty()) return base
      const jar = base.copy()
      if (extra.#maybeStored) {
        for (const cookie of internal.allCookies(extra.#store)) {
          internal.putCookie(jar.#store, internal.cloneCookie(cookie))
          jar.#maybeStored = true
        }
      }
      for (const cookie of extra.#domainless.values()) jar.#putRequestCookie(cookie, host)
      return jar
    }
    const names = Object.keys(extra)
    if (names.length === 0) return base
    const jar = base.copy()
    for (const name of names) {
      const value = extra[name]!
      const problem = internal.invalidCookie(name, value)
      if (problem !== undefined) throw new TypeError(problem)
      jar.#putRequestCookie(
        { name, value, path: "/", secure: false, httpOnly: false, expiresAt: undefined },
        host
      )
    }
    return jar
  }

  /** The `Cookie` header value for a request to `url`, or `undefined` when no cookie applies. */
  cookieHeader(url: string): string | undefined {
    if (!this.#maybeStored && this.#domainless.size === 0) return undefined
    const parts: Array<string> = []
    let names: Set<string> | undefined
    if (this.#maybeStored) {
      let cookies: Array<Tough.Cookie> = []
      try {
        cookies = this.#jar.getCookiesSync(url)
      } catch {
        // Not a URL tough-cookie can read: nothing of the store applies to it.
      }
      for (const cookie of cookies) parts.push(cookie.cookieString())
      if (this.#domainless.size > 0 && cookies.length > 0) names = new Set(cookies.map((c) => c.key))
    }
    if (this.#domainless.size > 0) this.#appendDomainless(url, parts, names)
    return parts.length === 0 ? undefined : parts.join("; ")
  }

  /**
   * Stores the valid `Set-Cookie` values a response to `url` carried and returns the cookies
   * stored (a response's `cookies`). Invalid ones (unparsable, for another domain, a public
   * suffix, `Secure` over http) are ignored, as a browser does; deletions (`Max-Age=0`, a past
   * `Expires`) remove the stored cookie and are not returned.
   */
  storeFromResponse(url: string, setCookie: ReadonlyArray<string>): ReadonlyArray<CookieInfo> {
    if (setCookie.length === 0) return []
    const stored: Array<CookieInfo> = []
    const now = Date.now()
    let deleted = false
    for (const header of setCookie) {
      const cookie = internal.tough().Cookie.parse(header)
      if (cookie === undefined) continue
      internal.fixExpiry(cookie, now)
      let result: Tough.Cookie | undefined
      try {
        result = this.#jar.setCookieSync(cookie, url, { ignoreError: true, now: new Date(now) })
      } catch {
        // ignoreError covers rejected cookies; this is a URL tough-cookie cannot read.
        continue
      }
      if (result === undefined) continue
      if (internal.isExpired(result, now)) {
        // It replaced the cookie it deletes; drop it now rather than at the next lookup.
        internal.removeCookie(this.#store, result)
        deleted = true
      } else {
        this.#maybeStored = true
        stored.push(internal.toInfo(result))
      }
    }
    if (deleted) this.#recheck()
    return stored
  }

  /**
   * Sets a cookie (requests' `jar.set`). Without a domain it is sent to every host. Throws a
   * `TypeError` for a name that is not a token or a value with a control character or ";", which
   * would corrupt the `Cookie` header.
   */
  set(name: string, value: string, options?: CookieOptions): void {
    const problem = internal.invalidCookie(name, value)
    if (problem !== undefined) throw new TypeError(problem)
    const now = Date.now()
    const path = options?.path ?? "/"
    const domain = options?.domain === undefined ? "" : internal.canonicalDomain(options.domain)
    const expiresAt = internal.expiryOf(options?.maxAge, options?.expires, now)
    if (expiresAt !== undefined && expiresAt <= now) {
      this.delete(name, { domain, path })
      return
    }
    const secure = options?.secure ?? false
    const httpOnly = options?.httpOnly ?? false
    if (domain === "") {
      this.#domainless.set(internal.domainlessKey(name, path), { name, value, path, secure, httpOnly, expiresAt })
      return
    }
    internal.putCookie(
      this.#store,
      new (internal.tough().Cookie)({
        key: name,
        value,
        domain,
        path,
        secure,
        httpOnly,
        hostOnly: options?.hostOnly ?? false,
        expires: expiresAt === undefined ? "Infinity" : new Date(expiresAt)
      })
    )
    this.#maybeStored = true
  }

  /** The value of the first cookie named `name` (in `list()` order) that matches the filter. */
  get(name: string, filter?: CookieFilter): string | undefined {
    const matches = this.#matcher(name, filter)
    for (const cookie of this.list()) if (matches(cookie)) return cookie.value
    return undefined
  }

  /** Removes every cookie named `name` that matches the filter; whether any was removed. */
  delete(name: string, filter?: CookieFilter): boolean {
    const matches = this.#matcher(name, filter)
    let removed = false
    for (const [key, cookie] of this.#domainless) {
      if (matches(internal.domainlessInfo(cookie))) {
        this.#domainless.delete(key)
        removed = true
      }
    }
    if (this.#maybeStored && filter?.domain !== "") {
      let removedStored = false
      for (const cookie of internal.allCookies(this.#store)) {
        if (matches(internal.toInfo(cookie))) {
          internal.removeCookie(this.#store, cookie)
          removedStored = true
        }
      }
      if (removedStored) this.#recheck()
      removed ||= removedStored
    }
    return removed
  }

  /** Removes every cookie, or those of one domain (`""` for the cookies set without a domain). */
  clear(domain?: string): void {
    if (domain === undefined) {
      internal.removeAll(this.#store)
      this.#domainless.clear()
      this.#maybeStored = false
    } else if (domain === "") {
      this.#domainless.clear()
    } else if (this.#maybeStored) {
      internal.removeDomain(this.#store, internal.canonicalDomain(domain))
      this.#recheck()
    }
  }

  /** Every unexpired cookie: the stored ones in creation order, then those set without a domain. */
  list(): ReadonlyArray<CookieInfo> {
    const out: Array<CookieInfo> = []
    const now = Date.now()
    if (this.#maybeStored) {
      let expired = false
      for (const cookie of internal.allCookies(this.#store)) {
        if (internal.isExpired(cookie, now)) {
          internal.removeCookie(this.#store, cookie)
          expired = true
        } else {
          out.push(internal.toInfo(cookie))
        }
      }
      if (expired && out.length === 0) this.#maybeStored = false
    }
    for (const [key, cookie] of this.#domainless) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) this.#domainless.delete(key)
      else out.push(internal.domainlessInfo(cookie))
    }
    return out
  }

  /** name → value of every cookie (requests' `get_dict`); for repeated names the last listed wins. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const cookie of this.list()) out[cookie.name] = cookie.value
    return out
  }

  /** The number of unexpired cookies. */
  get size(): number {
    return this.#isEmpty() ? 0 : this.list().length
  }

  [Symbol.iterator](): Iterator<CookieInfo> {
    return this.list()[Symbol.iterator]()
  }

  /** An independent jar with the same cookies. */
  copy(): CookieJar {
    const jar = new CookieJar()
    if (this.#maybeStored) {
      for (const cookie of internal.allCookies(this.#store)) internal.putCookie(jar.#store, internal.cloneCookie(cookie))
      jar.#maybeStored = true
    }
    for (const [key, cookie] of this.#domainless) jar.#domainless.set(key, cookie)
    return jar
  }

  /**
   * Adds cookies (requests' `jar.update`): another jar's cookies replace those with the same
   * name, domain and path; name → value pairs and `CookieInit`s are `set`.
   */
  update(other: CookieJar | Readonly<Record<string, string>> | Iterable<CookieInit>): void {
    if (other instanceof CookieJar) {
      if (other === this) return
      if (other.#maybeStored) {
        for (const cookie of internal.allCookies(other.#store)) {
          internal.putCookie(this.#store, internal.cloneCookie(cookie))
          this.#maybeStored = true
        }
      }
      for (const [key, cookie] of other.#domainless) this.#domainless.set(key, cookie)
    } else if (isIterable(other)) {
      for (const cookie of other) this.set(cookie.name, cookie.value, cookie)
    } else {
      for (const name of Object.keys(other)) this.set(name, other[name]!)
    }
  }

  toJSON(): ReadonlyArray<CookieInfo> {
    return this.list()
  }

  /** For logs: the cookies without their values (`theme=*** for 127.0.0.1/`). */
  toString(): string {
    return Inspectable.format(this[Inspectable.NodeInspectSymbol]())
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return {
      _id: "CookieJar",
      cookies: this.list().map((cookie) =>
        `${cookie.name}=*** for ${cookie.domain}${cookie.path}${cookie.secure ? " (secure)" : ""}`
      )
    }
  }

  #isEmpty(): boolean {
    return !this.#maybeStored && this.#domainless.size === 0
  }

  /** Re-derives `#maybeStored` after removals (these are user operations, not the request path). */
  #recheck(): void {
    this.#maybeStored = internal.allCookies(this.#store).length > 0
  }

  /** A request cookie wins: same-named cookies where it applies go (all of them without a host). */
  #putRequestCookie(cookie: internal.DomainlessCookie, host: string | undefined): void {
    if (this.#maybeStored) {
      let removed = false
      for (const stored of internal.allCookies(this.#store)) {
        if (stored.key === cookie.name && (host === undefined || internal.appliesToHost(stored, host))) {
          internal.removeCookie(this.#store, stored)
          removed = true
        }
      }
      if (removed) this.#recheck()
    }
    if (host === undefined) {
      this.#domainless.set(internal.domainlessKey(cookie.name, cookie.path), cookie)
      return
    }
    internal.putCookie(
      this.#store,
      new (internal.tough().Cookie)({
        key: cookie.name,
        value: cookie.value,
        domain: host,
        path: cookie.path,
        secure: cookie.secure,
        httpOnly: cookie.httpOnly,
        hostOnly: true,
        expires: cookie.expiresAt === undefined ? "Infinity" : new Date(cookie.expiresAt)
      })
    )
    this.#maybeStored = true
  }

  #matcher(name: string, filter: CookieFilter | undefined): (cookie: CookieInfo) => boolean {
    const domain = filter?.domain === undefined ? undefined : internal.canonicalDomain(filter.domain)
    const path = filter?.path
    return (cookie) =>
      cookie.name === name &&
      (domain === undefined || cookie.domain === domain) &&
      (path === undefined || cookie.path === path)
  }

  #appendDomainless(url: string, parts: Array<string>, skip: ReadonlySet<string> | undefined): void {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return
    }
    const path = target.pathname === "" ? "/" : target.pathname
    const secure = internal.isSecureScheme(target.protocol)
    const now = Date.now()
    for (const [key, cookie] of this.#domainless) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
        this.#domainless.delete(key)
        continue
      }
      if (cookie.secure && !secure) continue
      if (skip?.has(cookie.name) === true) continue
      if (!internal.pathMatch(path, cookie.path)) continue
      parts.push(`${cookie.name}=${cookie.value}`)
    }
  }
}

const isIterable = (u: object): u is Iterable<CookieInit> =>
  typeof (u as { readonly [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"

/** Whether `u` is a `CookieJar`. */
export const isCookieJar = (u: unknown): u is CookieJar => u instanceof CookieJar
