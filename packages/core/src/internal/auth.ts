/**
 * Helpers of `Auth`: header checks, the request-target for Digest, and the wrapping of a user
 * function as an authenticator.
 *
 * @internal
 */
import * as Exit from "effect/Exit"
import { HookError, InvalidHeader } from "../Errors.js"
import { validate } from "../Headers.js"
import type { PreparedRequest } from "../Request.js"
import { Headers } from "../Headers.js"

export const invalidAuthorization = (request: PreparedRequest, reason: string): InvalidHeader =>
  new InvalidHeader({ method: request.method, url: request.url, header: "Authorization", reason })

/** Why `value` cannot be sent as an Authorization header, or `undefined`. */
export const checkAuthorization = (value: string): string | undefined => validate("Authorization", value)

// Digest quotes the user name into the header: CR, LF, NUL or another control character would end
// or corrupt it (header injection), and escaping cannot help.
// eslint-disable-next-line no-control-regex
const controlRe = /[\u0000-\u001f\u007f]/

export const checkDigestUsername = (username: string): string | undefined =>
  controlRe.test(username) ? "the Digest username contains CR, LF or another control character" : undefined

export const withAuthorization = (request: PreparedRequest, value: string): PreparedRequest => ({
  ...request,
  headers: request.headers.set("Authorization", value)
})

/** Digest's `uri`: the request-target as sent (path and query, never the fragment). */
export const requestTarget = (url: URL): string => `${url.pathname === "" ? "/" : url.pathname}${url.search}`

const isPreparedRequest = (u: unknown): u is PreparedRequest =>
  typeof u === "object" && u !== null && (u as { readonly headers?: unknown }).headers instanceof Headers &&
  typeof (u as { readonly url?: unknown }).url === "string" &&
  typeof (u as { readonly method?: unknown }).method === "string"

/** Runs a user's auth function when the effect runs; a throw (or a non-request result) is a `HookError`. */
export const applyFunction = (
  f: (request: PreparedRequest) => PreparedRequest,
  request: PreparedRequest
): Exit.Exit<PreparedRequest, HookError> => {
  const fail = (cause: unknown) =>
    Exit.fail(new HookError({ method: request.method, url: request.url, hook: "auth", cause }))
  try {
    const out: unknown = f(request)
    return isPreparedRequest(out)
      ? Exit.succeed(out)
      : fail(new TypeError("the auth function must return the request (a PreparedRequest)"))
  } catch (cause) {
    return fail(cause)
  }
}

