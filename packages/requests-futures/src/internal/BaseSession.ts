import {
  Auth as CoreAuth,
  type Cookies,
  type FuturesSession as CoreFuturesSession,
  Request as CoreRequest,
  Session as CoreSession
} from "@requests-futures/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { ExecutorShutdown } from "../errors/ExecutorShutdown.js"
import type { RequestInfo } from "../errors/RequestException.js"
import { SessionHeaders } from "../SessionHeaders.js"
import type {
  Auth,
  FuturesRequestOptions,
  Hooks,
  Params,
  RequestOptions,
  ResponseHook,
  TimeoutOption
} from "../types/options.js"
import { type InspectArgs, inspectAs } from "../utils/inspect.js"
import { coreOf } from "./core.js"
import { fromCoreRequestError } from "./errors.js"
import { toCoreHook } from "./hooks.js"
import { runPromise } from "./run.js"

/** The hooks of a session, live: `session.hooks.response.push(hook)`. */
export interface SessionHooks {
  readonly response: Array<ResponseHook>
}

export const toSessionHooks = (hooks: Hooks | undefined): SessionHooks => ({
  response: hooks?.response === undefined ? [] : ([] as Array<ResponseHook>).concat(hooks.response)
})

const noHooks: ReadonlyArray<ResponseHook> = []

/**
 * What `Session` and `FuturesSession` share: the settings of a core session, live, and its lifetime.
 */
export abstract class BaseSession implements AsyncDisposable {
  /** @internal */
  readonly [coreOf]: CoreSession.Session
  /**
   * The headers sent with every request, live (requests' `session.headers`).
   *
   * @example
   * ```ts
   * session.headers.set("X-Token", "1")
   * ```
   */
  readonly headers: SessionHeaders
  /**
   * The response hooks of every request, live (requests' `session.hooks`).
   *
   * @example
   * ```ts
   * session.hooks.response.push((response) => { console.log(response.url) })
   * ```
   */
  readonly hooks: SessionHooks
  readonly #scope: Scope.CloseableScope | undefined
  #closed = false
  #closing: Promise<void> | undefined

  /** @internal */
  constructor(core: CoreSession.Session, hooks: SessionHooks, scope: Scope.CloseableScope | undefined) {
    this[coreOf] = core
    this.headers = new SessionHeaders(core)
    this.hooks = hooks
    this.#scope = scope
  }

  /**
   * The cookie jar, live: cookies the server sets land here and are sent back by domain and path.
   *
   * @example
   * ```ts
   * session.cookies.set("theme", "dark")
   * session.cookies.toRecord() // { theme: "dark", ... }
   * ```
   */
  get cookies(): Cookies.CookieJar {
    return this[coreOf].cookies
  }

  /** The setting checked as the constructor checks it: throws `InvalidOption` for a value it cannot use. */
  #checked<K extends "params" | "timeout" | "maxRedirects">(
    key: K,
    value: CoreSession.SessionConfig[K]
  ): CoreSession.Defaults[K] {
    const checked = CoreSession.checkConfig({ [key]: value })
    if (Either.isLeft(checked)) throw fromCoreRequestError(checked.left)
    return checked.right[key] as CoreSession.Defaults[K]
  }

  /** Credentials sent with every request (`session.auth = ["ada", "secret"]`). */
  get auth(): Auth | undefined {
    return this[coreOf].defaults().auth
  }

  set auth(auth: Auth | undefined) {
    this[coreOf].updateDefaults((defaults) => ({ ...defaults, auth }))
  }

  /** Query parameters added to every request. */
  get params(): Params | undefined {
    return this[coreOf].defaults().params
  }

  set params(value: Params | undefined) {
    const params = this.#checked("params", value)
    this[coreOf].updateDefaults((defaults) => ({ ...defaults, params }))
  }

  /** The default timeout of every request, in milliseconds (`null` sets none). */
  get timeout(): TimeoutOption | undefined {
    return this[coreOf].defaults().timeout
  }

  set timeout(value: TimeoutOption | undefined) {
    const timeout = this.#checked("timeout", value)
    this[coreOf].updateDefaults((defaults) => ({ ...defaults, timeout }))
  }

  /** The most redirects a request follows (default 30). */
  get maxRedirects(): number {
    return this[coreOf].defaults().maxRedirects
  }

  set maxRedirects(value: number) {
    const maxRedirects = this.#checked("maxRedirects", value) ?? 30
    this[coreOf].updateDefaults((defaults) => ({ ...defaults, maxRedirects }))
  }

  /** Whether a redirect from https to plain http is followed (default true; see the `allowDowngrade` option). */
  get allowDowngrade(): boolean {
    return this[coreOf].defaults().allowDowngrade
  }

  set allowDowngrade(value: boolean) {
    // Anything but `true` refuses downgrades: the safe reading of a setting that is not a boolean.
    this[coreOf].updateDefaults((defaults) => ({ ...defaults, allowDowngrade: value === true }))
  }

  /** `true` once `close()` was called: requests are refused with `ExecutorShutdown`. */
  get closed(): boolean {
    return this.#closed
  }

  /** Closes the connection pool (when the session made it). Idempotent. */
  close(): Promise<void> {
    this.#closed = true
    return this.#closing ??= this.#scope === undefined
      ? Promise.resolve()
      : runPromise(Scope.close(this.#scope, Exit.void))
  }

  /** `await using session = ...`: `close()` at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /**
   * `console.log(session)`: its settings, live, with the secrets masked (`auth: 'Basic ada:***'`,
   * `Authorization: 'Bearer ***'`, cookie values `***`).
   */
  [Symbol.for("nodejs.util.inspect.custom")](...args: InspectArgs): string {
    const fields = {
      headers: this.headers,
      cookies: this.cookies,
      auth: describeAuth(this.auth),
      params: this.params,
      timeout: this.timeout,
      maxRedirects: this.maxRedirects,
      ...this.inspectFields(),
      closed: this.closed
    }
    return inspectAs(this.constructor.name, fields, ...args)
  }

  /** @internal What a subclass adds to its printed form. */
  protected inspectFields(): Readonly<Record<string, unknown>> {
    return {}
  }

  /** @internal Refuses new requests from now on. */
  protected markClosed(): void {
    this.#closed = true
  }

  /** @internal */
  protected closedError(): ExecutorShutdown {
    return new ExecutorShutdown("The session is closed and sends no more requests: make a new one.")
  }

  /** @internal The session's hooks and the request's, in the order they run. */
  protected hooksFor(options: RequestOptions | undefined): ReadonlyArray<ResponseHook> {
    const own = options?.hooks?.response
    const session = this.hooks.response
    if (own === undefined) return session.length === 0 ? noHooks : session.slice()
    return session.concat(own)
  }
}

/** The auth of a session as it may be printed: the scheme and user name, never the secret. */
const describeAuth = (auth: Auth | undefined): string | undefined => {
  if (auth === undefined) return undefined
  if (typeof auth === "function") return "a function"
  if (Array.isArray(auth)) return `Basic ${auth[0]}:***`
  if (auth instanceof CoreAuth.BasicAuth) return `Basic ${auth.username}:***`
  if (auth instanceof CoreAuth.DigestAuth) return `Digest ${auth.username}:***`
  if (auth instanceof CoreAuth.BearerAuth) return "Bearer ***"
  return "an Authenticator"
}

/**
 * The core request: the options with the facade's hooks (the session's, then the request's) and
 * background callback as core steps; the core runs them. The method and URL go as given: the core
 * checks them (and upper-cases the method).
 */
export const toInit = (
  method: string,
  url: string | URL,
  options: FuturesRequestOptions | undefined,
  hooks: ReadonlyArray<ResponseHook>,
  backgroundCallback?: CoreFuturesSession.BackgroundCallback
): CoreFuturesSession.FuturesRequestInit => {
  const coreHooks = hooks.length === 0 ? undefined : { response: hooks.map(toCoreHook) }
  if (options === undefined) {
    return coreHooks === undefined ? { method, url } : { method, url, hooks: coreHooks }
  }
  const { hooks: _hooks, backgroundCallback: _callback, ...rest } = options
  return { ...rest, method, url, hooks: coreHooks, backgroundCallback }
}

/** The method and URL a `CancelledError` names: the URL's password redacted, whatever was passed. */
export const requestInfo = (method: unknown, url: unknown): RequestInfo => ({
  method: typeof method === "string" ? method.toUpperCase() : String(method),
  url: typeof url === "string" || url instanceof URL ? CoreRequest.redactUrl(url) : String(url)
})
