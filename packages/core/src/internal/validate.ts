/**
 * What a user passes in, checked before anything is sent: a request's method, URL and options (at the
 * start of `Session.task`) and a session's settings (when it is made). A refused value is an
 * `InvalidOption` naming the option and the value (a URL that is not a string or a `URL` is
 * `InvalidUrl`); nothing is ever a raw `TypeError` from deeper down. Credentials in the URL become
 * Basic auth here, and leave the URL.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { BasicAuth } from "../Auth.js"
import { CookieJar } from "../Cookies.js"
import { InvalidOption, InvalidUrl } from "../Errors.js"
import { isToken } from "../Headers.js"
import type { RequestInit, Timeout } from "../Request.js"
import type * as Session from "../Session.js"
import { isStreamSource } from "./body.js"
import { redactUrl, splitCredentials } from "./url.js"

/** What is wrong with one option; it becomes an `InvalidOption` with the request it belongs to. */
export interface Problem {
  readonly option: string
  readonly value: unknown
  readonly reason: string
}

const problem = (option: string, value: unknown, reason: string): Problem => ({ option, value, reason })

// ---------------------------------------------------------------------------------------------
// One option at a time
// ---------------------------------------------------------------------------------------------

const timeoutReason = "a timeout is a number of milliseconds >= 0, or Infinity or null for none"

const timeoutMs = (value: unknown, option: string): Either.Either<number | undefined, Problem> => {
  if (value === undefined || value === null) return Either.right(undefined)
  if (typeof value === "number" && value >= 0) return Either.right(value)
  return Either.left(problem(option, value, timeoutReason))
}

/**
 * A `timeout` option: `undefined` when it means none (absent, `null`), else the checked `Timeout`
 * (`null` parts dropped). `Infinity` stays: the transport arms no timer above 2^31-1 ms.
 */
export const checkTimeout = (value: unknown): Either.Either<Timeout | undefined, Problem> => {
  if (value === undefined || value === null) return Either.right(undefined)
  if (typeof value === "number") {
    return value >= 0 ? Either.right(value) : Either.left(problem("timeout", value, timeoutReason))
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return Either.left(problem("timeout", value, `${timeoutReason}, or { connect, read }`))
  }
  const parts = value as Readonly<Record<string, unknown>>
  for (const key of Object.keys(parts)) {
    if (key !== "connect" && key !== "read") {
      return Either.left(problem(`timeout.${key}`, parts[key], "a timeout object has only connect and read"))
    }
  }
  const connect = timeoutMs(parts["connect"], "timeout.connect")
  if (Either.isLeft(connect)) return connect
  const read = timeoutMs(parts["read"], "timeout.read")
  if (Either.isLeft(read)) return read
  if (parts["connect"] !== null && parts["read"] !== null) return Either.right(value as Timeout)
  return Either.right({
    ...(connect.right !== undefined ? { connect: connect.right } : {}),
    ...(read.right !== undefined ? { read: read.right } : {})
  })
}

/** A request's `timeout: null` (or `{ connect: null, read: null }`): none, over the session's. */
const noTimeout: Timeout = Object.freeze({})

export const checkMaxRedirects = (value: unknown): Problem | undefined =>
  value === undefined || (typeof value === "number" && Number.isInteger(value) && value >= 0)
    ? undefined
    : problem("maxRedirects", value, "the most redirects to follow is an integer >= 0")

const paramReason = "a parameter's value is a string, number, boolean, null or undefined, or an array of those"

const isParamValue = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === "string" || typeof value === "number" ||
  typeof value === "boolean"

/** `params`: a record of values (an array repeats the key) or a list of `[key, value]` pairs. */
export const checkParams = (params: unknown): Problem | undefined => {
  if (params === undefined) return undefined
  if (typeof params !== "object" || params === null) {
    return problem("params", params, "params are a record or a list of [key, value] pairs")
  }
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++) {
      const pair: unknown = params[i]
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        return problem(`params[${i}]`, pair, "a pair is [key, value] with a string key")
      }
      if (!isParamValue(pair[1])) return problem(`params.${pair[0]}`, pair[1], paramReason)
    }
    return undefined
  }
  const record = params as Readonly<Record<string, unknown>>
  for (const key of Object.keys(record)) {
    const value = record[key]
    if (isParamValue(value)) continue
    if (!Array.isArray(value) || !value.every(isParamValue)) return problem(`params.${key}`, value, paramReason)
  }
  return undefined
}

/** `data`: a string, bytes, or form fields (a record or pairs, as `params`). */
export const checkData = (data: unknown): Problem | undefined => {
  if (
    data === undefined || typeof data === "string" || data instanceof Uint8Array || data instanceof Blob ||
    isStreamSource(data)
  ) return undefined
  if (typeof data !== "object" || data === null) {
    return problem(
      "data",
      data,
      "data is a string, bytes (Uint8Array), a Blob, a stream (ReadableStream, Node Readable, async iterable of bytes), a record of form fields or a list of [name, value] pairs"
    )
  }
  const bad = checkParams(data)
  return bad === undefined ? undefined : { ...bad, option: bad.option.replace(/^params/, "data") }
}

const isFileContent = (value: unknown): boolean =>
  typeof value === "string" || value instanceof Uint8Array || value instanceof Blob || isStreamSource(value)

const fileReason =
  "a file is a string, bytes, a Blob, a stream, or { content, filename?, contentType?, headers? } with such a content"

const checkFileValue = (option: string, value: unknown): Problem | undefined => {
  if (isFileContent(value)) return undefined
  if (typeof value !== "object" || value === null || Array.isArray(value)) return problem(option, value, fileReason)
  const described = value as Readonly<Record<string, unknown>>
  if (!isFileContent(described["content"])) return problem(`${option}.content`, described["content"], fileReason)
  for (const key of ["filename", "contentType"] as const) {
    if (described[key] !== undefined && typeof described[key] !== "string") {
      return problem(`${option}.${key}`, described[key], `a file's ${key} is a string`)
    }
  }
  const headers = checkHeaders(described["headers"])
  return headers === undefined ? undefined : { ...headers, option: `${option}.${headers.option}` }
}

/** `files`: a record of files, or a list of `[field, file]` pairs. */
export const checkFiles = (files: unknown): Problem | undefined => {
  if (files === undefined) return undefined
  if (typeof files !== "object" || files === null) {
    return problem("files", files, "files are a record of field → file or a list of [field, file] pairs")
  }
  if (Array.isArray(files)) {
    for (let i = 0; i < files.length; i++) {
      const pair: unknown = files[i]
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        return problem(`files[${i}]`, pair, "a pair is [field, file] with a string field")
      }
      const bad = checkFileValue(`files.${pair[0]}`, pair[1])
      if (bad !== undefined) return bad
    }
    return undefined
  }
  const record = files as Readonly<Record<string, unknown>>
  for (const field of Object.keys(record)) {
    const bad = checkFileValue(`files.${field}`, record[field])
    if (bad !== undefined) return bad
  }
  return undefined
}

const retryReason = "retry is a number of retries (an integer >= 0) or a policy { limit, methods?, statusCodes?, backoff?, maxDelay? }"

/** `retry`: a number of retries, or a `RetryPolicy` whose fields have the types it documents. */
export const checkRetry = (retry: unknown): Problem | undefined => {
  const isCount = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0
  const isMs = (n: unknown) => n === undefined || (typeof n === "number" && n >= 0 && !Number.isNaN(n))
  if (retry === undefined || isCount(retry)) return undefined
  if (typeof retry !== "object" || retry === null || Array.isArray(retry)) return problem("retry", retry, retryReason)
  const policy = retry as Readonly<Record<string, unknown>>
  if (!isCount(policy["limit"])) return problem("retry.limit", policy["limit"], "the most retries is an integer >= 0")
  const methods = policy["methods"]
  if (methods !== undefined && !(Array.isArray(methods) && methods.every((m) => typeof m === "string"))) {
    return problem("retry.methods", methods, "the methods to retry are an array of strings")
  }
  const statusCodes = policy["statusCodes"]
  if (statusCodes !== undefined && !(Array.isArray(statusCodes) && statusCodes.every((c) => Number.isInteger(c)))) {
    return problem("retry.statusCodes", statusCodes, "the statuses to retry are an array of integers")
  }
  for (const key of ["backoff", "maxDelay"] as const) {
    if (!isMs(policy[key])) return problem(`retry.${key}`, policy[key], "a delay is a number of milliseconds >= 0")
  }
  return undefined
}

const headerReason = "a header's value is a string, a number or an array of strings; undefined or null removes it"

/**
 * Headers as a record or pairs, by shape (the names and values themselves are checked with the merged
 * headers, when the request is prepared); a `Headers` value is fine as it is.
 */
export const checkHeaders = (headers: unknown): Problem | undefined => {
  if (headers === undefined) return undefined
  if (typeof headers !== "object" || headers === null) {
    return problem("headers", headers, "headers are a record, a list of [name, value] pairs or a Headers")
  }
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i++) {
      const pair: unknown = headers[i]
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        return problem(`headers[${i}]`, pair, "a pair is [name, value], both strings")
      }
    }
    return undefined
  }
  if (Symbol.iterator in headers) return undefined
  const record = headers as Readonly<Record<string, unknown>>
  for (const name of Object.keys(record)) {
    const value = record[name]
    if (value === undefined || value === null || typeof value === "string" || typeof value === "number") continue
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      return problem(`headers.${name}`, value, headerReason)
    }
  }
  return undefined
}

/** `maxBodySize`: a number of bytes >= 0 (`Infinity` for none), or `null` for none. */
export const checkMaxBodySize = (value: unknown): Problem | undefined =>
  value === undefined || value === null || (typeof value === "number" && value >= 0)
    ? undefined
    : problem("maxBodySize", value, "the most bytes of a body is a number >= 0, or Infinity or null for none")

const checkCallback = (option: string, value: unknown): Problem | undefined =>
  value === undefined || typeof value === "function" ? undefined : problem(option, value, `${option} is a function`)
/**
 * `auth`: a `[username, password]` pair of strings, an `Authenticator` (an object with `apply`, as the
 * classes of `Auth`) or a function; `null` too for a request (none, not even the session's).
 */
export const checkAuth = (auth: unknown, allowNull: boolean): Problem | undefined => {
  if (auth === undefined || (allowNull && auth === null) || typeof auth === "function") return undefined
  if (Array.isArray(auth)) {
    return auth.length === 2 && typeof auth[0] === "string" && typeof auth[1] === "string"
      ? undefined
      : problem("auth", auth, "a Basic auth pair is [username, password], both strings")
  }
  if (typeof auth === "object" && auth !== null && typeof (auth as { readonly apply?: unknown }).apply === "function") {
    return undefined
  }
  return problem(
    "auth",
    auth,
    `auth is a [username, password] pair, an Auth class (BasicAuth, BearerAuth, DigestAuth), an Authenticator or a function${
      allowNull ? ", or null for none" : ""
    }`
  )
}

/**
 * A session's `cookies` given as name → value: each must be a cookie the jar takes (its name a token,
 * its value without CR, LF or `;`). A `CookieJar` holds only such cookies already.
 */
const checkSessionCookies = (cookies: unknown): Problem | undefined => {
  if (cookies === undefined || cookies instanceof CookieJar) return undefined
  if (typeof cookies !== "object" || cookies === null) {
    return problem("cookies", cookies, "a session's cookies are a CookieJar or a record of name → value")
  }
  try {
    CookieJar.make(cookies as Readonly<Record<string, string>>)
    return undefined
  } catch (cause) {
    return problem("cookies", cookies, cause instanceof Error ? cause.message : String(cause))
  }
}

/** Whether `u` is an `AbortSignal` (by shape: one of another realm, or a polyfill, passes too). */
export const isSignal = (u: unknown): u is AbortSignal =>
  typeof u === "object" && u !== null && typeof (u as { readonly aborted?: unknown }).aborted === "boolean" &&
  typeof (u as { readonly addEventListener?: unknown }).addEventListener === "function" &&
  typeof (u as { readonly removeEventListener?: unknown }).removeEventListener === "function"

/** A `signal` option: an `AbortSignal`, or `null` (a request's: not even the session's). */
export const checkSignal = (value: unknown, allowNull: boolean): Problem | undefined =>
  value === undefined || (allowNull && value === null) || isSignal(value)
    ? undefined
    : problem("signal", value, `a signal is an AbortSignal (new AbortController().signal)${allowNull ? " or null" : ""}`)

// ---------------------------------------------------------------------------------------------
// A session's settings
// ---------------------------------------------------------------------------------------------

/** A session's settings once checked: the timeout in its checked form. */
export type CheckedConfig<C extends Session.SessionConfig> = Omit<C, "timeout"> & {
  readonly timeout?: Timeout | undefined
}

const sessionProblem = (config: Session.SessionConfig): Either.Either<Timeout | undefined, Problem> => {
  const timeout = checkTimeout(config.timeout)
  if (Either.isLeft(timeout)) return timeout
  const bad = checkMaxRedirects(config.maxRedirects) ?? checkParams(config.params) ?? checkHeaders(config.headers) ??
    checkAuth(config.auth, false) ?? checkSessionCookies(config.cookies) ?? checkRetry(config.retry) ??
    checkSignal(config.signal, false) ?? checkMaxBodySize(config.maxBodySize)
  return bad === undefined ? timeout : Either.left(bad)
}

/** The settings of a session, checked when it is made (`Session.make`, `FuturesSession.make`). */
export const checkConfig = <C extends Session.SessionConfig>(
  config: C
): Either.Either<CheckedConfig<C>, InvalidOption> => {
  const timeout = sessionProblem(config)
  if (Either.isLeft(timeout)) return Either.left(new InvalidOption(timeout.left))
  return Either.right(
    timeout.right === config.timeout ? config as CheckedConfig<C> : { ...config, timeout: timeout.right }
  )
}

/**
 * A connection setting (TLS or proxy) in `config` that cannot apply because the session sends over a
 * pool it does not make (a `Transport` in context, or a given session's): those settings belong to the
 * pool, and silently dropping them would send a request asking for `verify: true` over a pool that
 * does not verify (requests' CVE-2024-35195, one setting leaking into another's requests).
 */
export const checkOwnPoolSettings = (
  config: Session.SessionConfig,
  pool: string
): InvalidOption | undefined => {
  for (const option of ["verify", "cert", "proxies", "trustEnv"] as const) {
    if (config[option] === undefined) continue
    return new InvalidOption({
      option,
      value: config[option],
      reason: `it applies to the connection pool, and this session sends over ${pool}: set it where that pool is made`
    })
  }
  return undefined
}

/**
 * The timeout a session starts with. A session made by `makeWith` without `checkConfig` keeps a bad
 * value as given: `checkRequest` then refuses every request with an `InvalidOption`.
 */
export const sessionTimeout = (timeout: unknown): Timeout | undefined =>
  Either.getOrElse(checkTimeout(timeout), () => timeout as Timeout | undefined)

// Defaults are immutable values: ones that passed once (most requests reuse them) pass again.
const checkedDefaults = new WeakSet<Session.Defaults>()

/** The session's defaults, which `updateDefaults` (or a `makeWith` without `checkConfig`) may have spoiled. */
const checkDefaults = (defaults: Session.Defaults): Problem | undefined => {
  if (checkedDefaults.has(defaults)) return undefined
  const timeout = checkTimeout(defaults.timeout)
  const bad = Either.isLeft(timeout)
    ? timeout.left
    : checkMaxRedirects(defaults.maxRedirects) ?? checkParams(defaults.params) ?? checkAuth(defaults.auth, false) ??
      checkRetry(defaults.retry) ?? checkSignal(defaults.signal, false) ?? checkMaxBodySize(defaults.maxBodySize)
  if (bad !== undefined) return { ...bad, reason: `the session's ${bad.option}: ${bad.reason}` }
  checkedDefaults.add(defaults)
  return undefined
}

// ---------------------------------------------------------------------------------------------
// A request
// ---------------------------------------------------------------------------------------------

/** A request once checked: its URL a string without credentials, its timeout in its checked form. */
export interface CheckedInit extends Omit<RequestInit, "url" | "timeout"> {
  readonly url: string
  readonly timeout?: Timeout | undefined
}

const kindOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value

const upper = (method: unknown): string => typeof method === "string" ? method.toUpperCase() : String(method)

/**
 * A request's method, URL and options, checked; the URL's credentials (`http://user:pass@host/`) become
 * Basic auth unless an `auth` is given (the request's, the session's, or `null` for none), and leave
 * the URL in every case. Allocates nothing for a request that needs no change.
 */
export const checkRequest = (
  input: RequestInit,
  defaults: Session.Defaults
): Either.Either<CheckedInit, InvalidOption | InvalidUrl> => {
  const given: unknown = input.url
  let url: string
  if (typeof given === "string") url = given
  else if (given instanceof URL) url = given.href
  else {
    return Either.left(
      new InvalidUrl({
        method: upper(input.method),
        url: typeof given === "object" || typeof given === "function" ? "" : String(given),
        reason: `a URL is a string or a URL object, not ${kindOf(given)}`
      })
    )
  }
  const method: unknown = input.method
  if (typeof method !== "string" || !isToken(method)) {
    return Either.left(
      new InvalidOption({
        option: "method",
        value: method,
        reason: "a method is a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
        url: redactUrl(url)
      })
    )
  }
  let timeout = input.timeout as Timeout | undefined
  let bad = checkDefaults(defaults) ??
    checkParams(input.params) ??
    checkMaxRedirects(input.maxRedirects) ??
    checkHeaders(input.headers) ??
    checkAuth(input.auth, true) ??
    checkData(input.data) ??
    checkFiles(input.files) ??
    checkRetry(input.retry) ??
    checkSignal(input.signal, true) ??
    checkMaxBodySize(input.maxBodySize) ??
    checkCallback("onDownloadProgress", input.onDownloadProgress) ??
    checkCallback("onUploadProgress", input.onUploadProgress)
  if (bad === undefined && input.timeout !== undefined) {
    const checked = checkTimeout(input.timeout)
    if (Either.isLeft(checked)) bad = checked.left
    else timeout = checked.right ?? noTimeout
  }
  if (bad !== undefined) {
    return Either.left(new InvalidOption({ ...bad, method: method.toUpperCase(), url: redactUrl(url) }))
  }
  const credentials = splitCredentials(url)
  if (credentials === undefined && url === given && timeout === input.timeout) return Either.right(input as CheckedInit)
  const urlAuth = credentials !== undefined && input.auth === undefined && defaults.auth === undefined &&
    (credentials.username !== "" || credentials.password !== "")
  return Either.right({
    ...input,
    url: credentials?.url ?? url,
    timeout,
    ...(urlAuth ? { auth: new BasicAuth(credentials.username, credentials.password) } : {})
  })
}
