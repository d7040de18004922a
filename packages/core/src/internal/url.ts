/**
 * URLs as requests prepares them: `PreparedRequest.prepare_url`, `Session.should_strip_auth` and the
 * Location handling of `Session.resolve_redirects`, on top of the WHATWG URL parser.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { isUtf8 } from "node:buffer"
import { InvalidSchema, InvalidUrl, MissingSchema } from "../Errors.js"
import type { Params, ParamValue } from "../Request.js"

// RFC 3986 scheme: what a URL parser would take as a scheme.
const schemeRe = /^([A-Za-z][A-Za-z0-9+.-]*):/
// After "localhost:" or "example.com:" a port means the user forgot the scheme, it is not one.
const portRe = /^\d+(?:[/?#]|$)/

/**
 * requests' `prepare_url`: the URL to send, with `params` appended to its query.
 *
 * - No scheme → `MissingSchema`, including `host:port` forms such as `localhost:8080/x`. (requests
 *   raises `InvalidSchema` "No connection adapters" for those, as urllib3 reads `localhost` as the
 *   scheme; a missing scheme is what actually went wrong.)
 * - A scheme other than http/https → `InvalidSchema`.
 * - `http://`, `http:///x`, `http:x` (no authority) or anything WHATWG URL rejects → `InvalidUrl`.
 *   WHATWG would read `http:///x` as `http://x/`; requests (urllib3) finds no host, and so do we.
 * - Errors carry the URL with surrounding whitespace stripped, as requests' messages do.
 */
export const prepareUrl = (
  method: string,
  url: string,
  params: Params | undefined
): Either.Either<string, MissingSchema | InvalidSchema | InvalidUrl> => {
  const trimmed = url.trim()
  const match = schemeRe.exec(trimmed)
  if (match === null) return Either.left(new MissingSchema({ method, url: redactUrl(trimmed) }))
  const scheme = match[1]!.toLowerCase()
  const afterScheme = match[0].length
  if (scheme !== "http" && scheme !== "https") {
    return portRe.test(trimmed.slice(afterScheme))
      ? Either.left(new MissingSchema({ method, url: redactUrl(trimmed) }))
      : Either.left(new InvalidSchema({ method, url: redactUrl(trimmed), scheme }))
  }
  if (!hasAuthority(trimmed, afterScheme)) {
    return Either.left(new InvalidUrl({ method, url: redactUrl(trimmed), reason: "no host supplied" }))
  }
  let parsed: URL
  try {
    parsed = new URL(trimmed)
  } catch (cause) {
    return Either.left(new InvalidUrl({ method, url: redactUrl(trimmed), reason: "the URL cannot be parsed", cause }))
  }
  // WHATWG accepts these; IDNA (and requests) reject them.
  const first = parsed.hostname.charCodeAt(0)
  if (first === 0x2a /* * */ || first === 0x2e /* . */) {
    return Either.left(new InvalidUrl({ method, url: redactUrl(trimmed), reason: "the host has an invalid label" }))
  }
  const href = parsed.href
  if (params === undefined) return Either.right(href)
  const encoded = encodeForm(params)
  if (encoded === "") return Either.right(href)
  // Splice the params in as text rather than through `url.search`, which would re-encode the
  // existing query; `#` can only be the fragment delimiter in a serialised href.
  const hash = href.indexOf("#")
  const base = hash < 0 ? href : href.slice(0, hash)
  const separator = parsed.search !== "" ? "&" : base.endsWith("?") ? "" : "?"
  return Either.right(hash < 0 ? base + separator + encoded : base + separator + encoded + href.slice(hash))
}

// "//" then a non-empty authority: rejects "http:x", "http:/x", "http://", "http:///x", "http://?q".
const hasAuthority = (url: string, at: number): boolean => {
  if (!url.startsWith("//", at)) return false
  const c = url.charCodeAt(at + 2)
  return !(Number.isNaN(c) || c === 0x2f /* / */ || c === 0x5c /* \ */ || c === 0x3f /* ? */ || c === 0x23 /* # */)
}

// ---------------------------------------------------------------------------------------------
// Credentials in the URL (`http://user:pass@host/`)
// ---------------------------------------------------------------------------------------------

/** Where the userinfo of `url` is: `[start, at]` with `url[at] === "@"`, or `undefined` when it has none. */
const userinfoOf = (url: string): readonly [start: number, at: number] | undefined => {
  const at = url.indexOf("@")
  if (at === -1) return undefined
  // The authority starts after "scheme://" (or "//"); a URL without one ("user:pass@host/x", a
  // forgotten scheme) is read from its first character, so that it is redacted too.
  const slashes = url.indexOf("//")
  const start = slashes !== -1 && slashes < at && !/[/?#\\]/.test(url.slice(0, slashes)) ? slashes + 2 : 0
  // ...except an address: "mailto:someone@example.com" holds no password.
  if (start === 0 && /^mailto:/i.test(url)) return undefined
  // As WHATWG: the authority ends at the first "/", "?", "#" or backslash, and the userinfo
  // at its last "@" (an unencoded "@" in a password belongs to the password).
  let end = url.length
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */ || c === 0x5c /* \ */) {
      end = i
      break
    }
  }
  const last = url.lastIndexOf("@", end - 1)
  return last >= start ? [start, last] : undefined
}

/**
 * `url` with its password replaced by `***` (`http://user:***@host/`), for every message and log that
 * shows a URL a user gave. Also redacts a URL that does not parse (`user:pass@host/x`, no scheme).
 */
export const redactUrl = (url: string | URL): string => {
  const href = typeof url === "string" ? url : url.href
  const userinfo = userinfoOf(href)
  if (userinfo === undefined) return href
  const [start, at] = userinfo
  const colon = href.indexOf(":", start)
  if (colon === -1 || colon > at) return href
  return `${href.slice(0, colon + 1)}***${href.slice(at)}`
}

/** The credentials of a URL, percent-decoded, and the URL without them. */
export interface UrlCredentials {
  readonly url: string
  readonly username: string
  readonly password: string
}

const percentDecode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    // requests' `unquote` leaves a malformed escape as it is.
    return s
  }
}

/**
 * requests' `get_auth_from_url`: the username and password of `url` (`http://user:pass@host/`),
 * percent-decoded, with `url` stripped of them; `undefined` when it has none (the common case is one
 * `indexOf`). Only a `scheme://` URL has credentials: anything else is left to `prepareUrl`.
 */
export const splitCredentials = (url: string): UrlCredentials | undefined => {
  if (url.indexOf("@") === -1) return undefined
  const trimmed = url.trim()
  const match = schemeRe.exec(trimmed)
  if (match === null || !trimmed.startsWith("//", match[0].length)) return undefined
  const userinfo = userinfoOf(trimmed)
  if (userinfo === undefined) return undefined
  const [start, at] = userinfo
  const raw = trimmed.slice(start, at)
  const colon = raw.indexOf(":")
  return {
    url: trimmed.slice(0, start) + trimmed.slice(at + 1),
    username: percentDecode(colon === -1 ? raw : raw.slice(0, colon)),
    password: colon === -1 ? "" : percentDecode(raw.slice(colon + 1))
  }
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded, as URLSearchParams serialises it
// ---------------------------------------------------------------------------------------------

type FieldValue = ParamValue | ReadonlyArray<ParamValue>

const isPairs = (
  fields: Params
): fields is ReadonlyArray<readonly [string, ParamValue]> => Array.isArray(fields)

/**
 * Calls `f` for every (key, value) of a record (an array value repeats the key) or of pairs, in
 * order, skipping `undefined` and `null` (requests drops `None`) and stringifying numbers and
 * booleans (`true`, not Python's `True`).
 */
export const forEachParam = (fields: Params, f: (key: string, value: string) => void): void => {
  if (isPairs(fields)) {
    for (const [key, value] of fields) if (value !== undefined && value !== null) f(key, String(value))
    return
  }
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue
    const value: FieldValue = fields[key]
    if (value === undefined || value === null) continue
    if (typeof value !== "object") {
      f(key, String(value))
      continue
    }
    for (const item of value) if (item !== undefined && item !== null) f(key, String(item))
  }
}

/**
 * A record or pairs as a query / form body (see `forEachParam`): space as `+`, byte-for-byte what
 * `URLSearchParams#toString` gives, without building a URLSearchParams.
 */
export const encodeForm = (fields: Params): string => {
  let out = ""
  forEachParam(fields, (key, value) => {
    const pair = formEncode(key) + "=" + formEncode(value)
    out = out === "" ? pair : out + "&" + pair
  })
  return out
}

// Characters URLSearchParams leaves alone; almost every key and most values are only these.
const formSafeRe = /^[\w*.-]*$/
// encodeURIComponent leaves these, URLSearchParams does not (and it writes space as "+").
const uriOnlyRe = /%20|[!'()~]/g
const loneSurrogateRe = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const formEncode = (s: string): string => {
  if (formSafeRe.test(s)) return s
  let encoded: string
  try {
    encoded = encodeURIComponent(s)
  } catch {
    // A lone surrogate: URLSearchParams writes U+FFFD for it, encodeURIComponent throws.
    encoded = encodeURIComponent(s.replace(loneSurrogateRe, "\uFFFD"))
  }
  return encoded.replace(uriOnlyRe, escapeUriOnly)
}

const escapeUriOnly = (c: string): string =>
  c === "%20" ? "+" : "%" + c.charCodeAt(0).toString(16).toUpperCase()

// ---------------------------------------------------------------------------------------------
// Origins, auth stripping and redirects
// ---------------------------------------------------------------------------------------------

const parse = (url: string, base?: string): URL | undefined => {
  try {
    return new URL(url, base)
  } catch {
    return undefined
  }
}

/** `scheme://host[:port]` (default ports omitted, host lower-cased and IDNA-encoded), or `undefined`. */
export const originOf = (url: string): string | undefined => {
  const origin = parse(url)?.origin
  // Opaque origins ("null": file:, data:, ...) are never the same origin as anything.
  return origin === undefined || origin === "null" ? undefined : origin
}

/** Same scheme, host and port (default ports count as given); unparsable URLs are never the same. */
export const sameOrigin = (a: string, b: string): boolean => {
  const origin = originOf(a)
  return origin !== undefined && origin === originOf(b)
}

const defaultPorts: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 }

// WHATWG leaves `port` empty when it is the scheme's default, so an empty port is the default one.
const portOf = (url: URL): number | undefined =>
  url.port === "" ? defaultPorts[url.protocol] : Number(url.port)

/**
 * requests' `Session.should_strip_auth`: whether credentials must not follow a redirect from
 * `oldUrl` to `newUrl`. Stripped when the host changes, or the scheme or port changes — except
 * http → https on the same host with default ports (80 or none → 443 or none), which requests
 * keeps for backwards compatibility. Unparsable URLs strip, to be safe.
 */
export const shouldStripAuth = (oldUrl: string, newUrl: string): boolean => {
  const before = parse(oldUrl)
  const after = parse(newUrl)
  if (before === undefined || after === undefined) return true
  if (before.hostname !== after.hostname) return true
  if (before.protocol === "http:" && after.protocol === "https:" && before.port === "" && after.port === "") {
    return false
  }
  return before.protocol !== after.protocol || portOf(before) !== portOf(after)
}

/**
 * The URL a redirect goes to, as requests' `resolve_redirects` computes it: a relative or
 * scheme-relative (`//host/path`) Location is resolved against `current`, and the fragment of
 * `current` is kept when the Location has none (RFC 7231 7.1.2).
 *
 * Headers are decoded as Latin-1, so a Location sent as raw UTF-8 arrives garbled; like requests'
 * `get_redirect_target` it is re-decoded as UTF-8 when those bytes are valid UTF-8.
 * A Location that cannot be parsed is returned as given: `prepareUrl` then reports it.
 */
export const resolveLocation = (current: string, location: string): string => {
  const target = fromLatin1(location.trim())
  const base = parse(current)
  const resolved = parse(target, base?.href)
  if (resolved === undefined) return target
  if (base !== undefined && base.hash !== "" && resolved.hash === "") resolved.hash = base.hash
  return resolved.href
}

const highLatin1Re = /[\u0080-\u00ff]/
// eslint-disable-next-line no-control-regex
const beyondLatin1Re = /[^\u0000-\u00ff]/

const fromLatin1 = (s: string): string => {
  if (!highLatin1Re.test(s) || beyondLatin1Re.test(s)) return s
  const bytes = Buffer.from(s, "latin1")
  return isUtf8(bytes) ? bytes.toString("utf8") : s
}

