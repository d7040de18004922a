/**
 * Authentication: Basic, Bearer, Digest, or a function of the prepared request (requests'
 * `auth=`). A `[username, password]` pair means Basic, as in requests.
 *
 * The session sees every kind through one `Authenticator`: `apply` adds credentials before a
 * request is sent, `retry` answers a challenge (Digest's 401) with a request to send instead.
 *
 * @since 0.1.0
 */
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { HookError, InvalidHeader } from "./Errors.js"
import type { Headers } from "./Headers.js"
import * as internal from "./internal/auth.js"
import * as digest from "./internal/digest.js"
import type { PreparedRequest } from "./Request.js"
import type * as Task from "./Task.js"

/** What the session needs of any authentication scheme. */
export interface Authenticator {
  /**
   * Adds credentials before a request is sent (called on each hop that keeps the original origin):
   * an `Exit` when they are known at once (every built-in scheme), or `Task.continueWith(effect)`
   * when they need an effect (a token fetched from elsewhere).
   */
  readonly apply: (request: PreparedRequest) => Task.Step<PreparedRequest, HookError | InvalidHeader>
  /** Given the response to `request`, a request to send instead (Digest's retry on 401), or none. */
  readonly retry?: (
    request: PreparedRequest,
    response: { readonly statusCode: number; readonly headers: Headers }
  ) => Option.Option<PreparedRequest>
}

/**
 * The `auth` option: a `[username, password]` pair (Basic), one of the classes below, any
 * `Authenticator`, or a function that returns the request with credentials added (a throw becomes
 * a `HookError` with hook "auth").
 */
export type Auth =
  | readonly [username: string, password: string]
  | BasicAuth
  | BearerAuth
  | DigestAuth
  | Authenticator
  | ((request: PreparedRequest) => PreparedRequest)

/**
 * `Authorization: Basic base64(username:password)` (RFC 7617).
 *
 * The pair is encoded as UTF-8 (RFC 7617's `charset="UTF-8"`, what servers expect today). requests
 * encodes it as Latin-1, which gives the same bytes for ASCII and fails outside Latin-1.
 */
export class BasicAuth implements Authenticator {
  readonly _tag = "BasicAuth"
  readonly username: string
  readonly #password: string
  /** Computed once: applying it is a header set. */
  readonly #header: string

  constructor(username: string, password: string) {
    this.username = username
    this.#password = password
    this.#header = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`
  }

  /** A getter, so that logging the object does not print it. */
  get password(): string {
    return this.#password
  }

  readonly apply = (request: PreparedRequest): Exit.Exit<PreparedRequest, InvalidHeader> =>
    Exit.succeed(internal.withAuthorization(request, this.#header))
}

/** `Authorization: Bearer <token>` (RFC 6750). A token with CR, LF or a control character fails with `InvalidHeader`. */
export class BearerAuth implements Authenticator {
  readonly _tag = "BearerAuth"
  readonly #token: string
  readonly #header: string
  readonly #problem: string | undefined

  constructor(token: string) {
    this.#token = token
    this.#header = `Bearer ${token}`
    this.#problem = internal.checkAuthorization(this.#header)
  }

  get token(): string {
    return this.#token
  }

  readonly apply = (request: PreparedRequest): Exit.Exit<PreparedRequest, InvalidHeader> =>
    this.#problem === undefined
      ? Exit.succeed(internal.withAuthorization(request, this.#header))
      : Exit.fail(internal.invalidAuthorization(request, this.#problem))
}

export interface DigestOptions {
  /** The client nonce of each header; 128 random bits by default (a fixed one is for tests). */
  readonly cnonce?: (() => string) | undefined
}

/** How many retried headers to remember (see `DigestAuth`); more in flight at once is unusual. */
const maxIssued = 256

/**
 * HTTP Digest (RFC 7616; requests' `HTTPDigestAuth`): MD5, SHA-256, SHA-512-256 (and SHA-512,
 * SHA-1 as requests accepts), each with its `-sess` variant; qop `auth`, `auth-int` (when it is all
 * the server offers) or none (RFC 2069); `userhash`; `username*` for a name outside Latin-1.
 *
 * - On a 401 with a Digest challenge, `retry` returns the request with its `Authorization`.
 *   Exactly one retry per request: a request that `retry` produced (recognised by its
 *   `Authorization` value, which survives the session copying the request) is not retried again,
 *   so a wrong password ends with the server's 401 instead of a loop.
 * - Once challenged, `apply` sends the `Authorization` pre-emptively on later requests to the same
 *   origin, counting `nc` per nonce across requests (00000001, 00000002, ...), as requests does
 *   with its per-thread state (per instance here). A server's new nonce restarts the count.
 * - The username is quoted into the header: `"` and `\` are escaped, and a username with CR, LF or
 *   another control character fails `apply` with `InvalidHeader` (before anything is sent).
 */
export class DigestAuth implements Authenticator {
  readonly _tag = "DigestAuth"
  readonly username: string
  readonly #password: string
  readonly #cnonce: () => string
  readonly #usernameProblem: string | undefined
  /** The last challenge answered and the origin it came from. */
  #challenge: { readonly challenge: digest.Challenge; readonly origin: string } | undefined
  #nonce: string | undefined
  #nc = 0
  /** `Authorization` values made by `retry` → the request they were made for (insertion-ordered). */
  readonly #issued = new Map<string, { readonly method: string; readonly url: string }>()

  constructor(username: string, password: string, options?: DigestOptions) {
    this.username = username
    this.#password = password
    this.#cnonce = options?.cnonce ?? digest.defaultCnonce
    this.#usernameProblem = internal.checkDigestUsername(username)
  }

  get password(): string {
    return this.#password
  }

  readonly apply = (request: PreparedRequest): Exit.Exit<PreparedRequest, InvalidHeader> => {
    if (this.#usernameProblem !== undefined) {
      return Exit.fail(internal.invalidAuthorization(request, this.#usernameProblem))
    }
    const state = this.#challenge
    if (state === undefined) return Exit.succeed(request)
    const url = parseUrl(request.url)
    if (url === undefined || url.origin !== state.origin) return Exit.succeed(request)
    const header = this.#header(request, url, state.challenge)
    if (header === undefined) return Exit.succeed(request)
    const problem = internal.checkAuthorization(header)
    if (problem !== undefined) return Exit.fail(internal.invalidAuthorization(request, problem))
    // Re-applying to the retried request itself (same method and URL): the new value (fresh nc)
    // is still "the retry", so a 401 to it must not be retried again.
    const previous = request.headers.get("authorization")
    const issued = previous === undefined ? undefined : this.#issued.get(previous)
    if (issued !== undefined && issued.method === request.method && issued.url === request.url) {
      this.#issued.delete(previous!)
      this.#remember(header, request)
    }
    return Exit.succeed(internal.withAuthorization(request, header))
  }

  readonly retry = (
    request: PreparedRequest,
    response: { readonly statusCode: number; readonly headers: Headers }
  ): Option.Option<PreparedRequest> => {
    const sent = request.headers.get("authorization")
    // Whatever the status, the answer to a retried request has come: forget it.
    const wasRetried = sent !== undefined && this.#issued.delete(sent)
    if (response.statusCode !== 401 || wasRetried || this.#usernameProblem !== undefined) return Option.none()
    const challenge = digest.findChallenge(response.headers.getAll("www-authenticate"))
    if (challenge === undefined) return Option.none()
    const url = parseUrl(request.url)
    if (url === undefined) return Option.none()
    this.#challenge = { challenge, origin: url.origin }
    const header = this.#header(request, url, challenge)
    if (header === undefined || internal.checkAuthorization(header) !== undefined) return Option.none()
    this.#remember(header, request)
    return Option.some(internal.withAuthorization(request, header))
  }

  #header(request: PreparedRequest, url: URL, challenge: digest.Challenge): string | undefined {
    if (challenge.nonce === this.#nonce) {
      this.#nc++
    } else {
      this.#nonce = challenge.nonce
      this.#nc = 1
    }
    return digest.authorization({
      username: this.username,
      password: this.#password,
      method: request.method,
      uri: internal.requestTarget(url),
      body: request.body,
      challenge,
      nc: this.#nc,
      cnonce: this.#cnonce()
    })
  }

  #remember(header: string, request: PreparedRequest): void {
    // Bounded: a retried request whose answer never reaches `retry` (a connection error) must not
    // leak; the oldest entry goes first.
    if (this.#issued.size >= maxIssued) {
      const oldest = this.#issued.keys().next()
      if (oldest.done !== true) this.#issued.delete(oldest.value)
    }
    this.#issued.set(header, { method: request.method, url: request.url })
  }
}

const parseUrl = (url: string): URL | undefined => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

const cache = new WeakMap<object, Authenticator>()

const isPair = (auth: Auth): auth is readonly [string, string] => Array.isArray(auth)

/**
 * The session's view of an `auth` option. Classes are their own authenticator; a pair or a
 * function is wrapped once and the wrapper is cached on it, so per-request calls allocate nothing.
 */
export const toAuthenticator = (auth: Auth): Authenticator => {
  if (typeof auth === "function") {
    let out = cache.get(auth)
    if (out === undefined) {
      const f = auth
      out = { apply: (request) => internal.applyFunction(f, request) }
      cache.set(auth, out)
    }
    return out
  }
  if (isPair(auth)) {
    let out = cache.get(auth)
    if (out === undefined) {
      out = new BasicAuth(auth[0], auth[1])
      cache.set(auth, out)
    }
    return out
  }
  return auth
}
