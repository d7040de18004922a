/**
 * requests-futures: asynchronous HTTP requests for humans. `FuturesSession` returns a `Future` for every
 * request, run on a bounded `Executor`; `Session` is the plain Promise version. Errors are classes
 * (`instanceof`, `_tag`) in requests' tree.
 *
 * @example
 * ```ts
 * import { FuturesSession } from "requests-futures"
 *
 * const session = new FuturesSession()
 * const future = session.get("https://httpbin.org/get")
 * console.log((await future).statusCode)
 * await session.close()
 * ```
 */
import { Auth, Cookies } from "@requests-futures/core"

export * from "./errors/index.js"
export { Executor, type ExecutorStats, type HostStats } from "./Executor.js"
export { Future, type FutureState, type Settled } from "./Future.js"
export {
  asCompleted,
  type AsCompletedOptions,
  asSettled,
  type CompletedFuture,
  type Settlement,
  wait,
  type WaitResult
} from "./futures.js"
export { FuturesSession, type ResponseFuture } from "./FuturesSession.js"
export type { SessionHooks } from "./internal/BaseSession.js"
export { type CookieInfo, type Headers, type PreparedRequest, Response, type Timings } from "./Response.js"
export { Session } from "./Session.js"
export { SessionHeaders } from "./SessionHeaders.js"
export type * from "./types/options.js"

/** `Authorization: Basic ...` (a `[username, password]` pair as `auth` means the same). */
export const BasicAuth = Auth.BasicAuth
export type BasicAuth = Auth.BasicAuth
/** `Authorization: Bearer <token>`. */
export const BearerAuth = Auth.BearerAuth
export type BearerAuth = Auth.BearerAuth
/** HTTP Digest authentication (requests' `HTTPDigestAuth`): answers the server's 401 challenge. */
export const DigestAuth = Auth.DigestAuth
export type DigestAuth = Auth.DigestAuth
/** An RFC 6265 cookie jar: `session.cookies` is one. */
export const CookieJar = Cookies.CookieJar
export type CookieJar = Cookies.CookieJar
