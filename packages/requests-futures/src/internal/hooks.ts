/**
 * Runs the facade's response hooks and background callback on the response, inside the request's
 * effect (so in the worker slot, before the future resolves).
 */
import { Errors as CoreErrors } from "@requests-futures/core"
import * as Effect from "effect/Effect"
import type { RequestError } from "../errors/index.js"
import { Response } from "../Response.js"
import type { ResponseHook } from "../types/options.js"
import { isRequestError } from "./errors.js"

/** Why a hook failed: the `RequestException` it threw, or a core `HookError` around anything else. */
export type HookFailure = RequestError | CoreErrors.HookError

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { readonly then?: unknown }).then === "function"

const failure = (cause: unknown, hook: string, response: Response): HookFailure =>
  isRequestError(cause)
    ? cause
    : new CoreErrors.HookError({ method: response.request.method, url: response.url, hook, cause })

const replaced = (out: unknown, response: Response): Response => out instanceof Response ? out : response

/** Calls `f(response)`: a returned `Response` replaces it; a throw or a rejection is the failure. */
const step = (f: (response: Response) => unknown, hook: string) => (response: Response) =>
  Effect.suspend((): Effect.Effect<Response, HookFailure> => {
    let out: unknown
    try {
      out = f(response)
    } catch (cause) {
      return Effect.fail(failure(cause, hook, response))
    }
    if (!isPromiseLike(out)) return Effect.succeed(replaced(out, response))
    return Effect.async<Response, HookFailure>((resume) => {
      out.then(
        (value) => resume(Effect.succeed(replaced(value, response))),
        (cause: unknown) => resume(Effect.fail(failure(cause, hook, response)))
      )
    })
  })

/** The response hooks in order, then the background callback. */
export const afterResponse = (
  response: Response,
  hooks: ReadonlyArray<ResponseHook>,
  callback: ((response: Response) => unknown) | undefined
): Effect.Effect<Response, HookFailure> => {
  let effect: Effect.Effect<Response, HookFailure> = Effect.succeed(response)
  for (const hook of hooks) effect = Effect.flatMap(effect, step(hook, "response hook"))
  if (callback !== undefined) effect = Effect.flatMap(effect, step(callback, "background callback"))
  return effect
}
