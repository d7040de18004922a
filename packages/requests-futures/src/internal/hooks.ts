/**
 * The facade's hooks and background callback as the core's: the core runs them (one runner, in the
 * worker slot, before the future resolves); this module only adapts a Promise-returning function over
 * facade `Response`s to a core hook over core responses.
 */
import type { Request as CoreRequest, Response as CoreResponse } from "@requests-futures/core"
import * as Effect from "effect/Effect"
import { Response, responseOf } from "../Response.js"
import { coreOf } from "./core.js"

type CoreHook = Exclude<NonNullable<CoreRequest.Hooks["response"]>, ReadonlyArray<unknown>>
type CoreResult = CoreResponse.Response | void | Effect.Effect<CoreResponse.Response | void>

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { readonly then?: unknown }).then === "function"

/** A returned facade `Response` replaces the response: the same object is what the future resolves to. */
const toCore = (out: unknown): CoreResponse.Response | void => (out instanceof Response ? out[coreOf] : undefined)

/**
 * `f` as a core step: it is called with the facade response of the core one; a rejection is a defect,
 * which the core's runner turns into a `HookError` (whose `cause` the facade unwraps when it is a
 * `RequestException`, such as `raiseForStatus()`'s).
 */
export const toCoreStep = (f: (response: Response) => unknown) => (response: CoreResponse.Response): CoreResult => {
  const out = f(responseOf(response))
  if (!isPromiseLike(out)) return toCore(out)
  return Effect.async<CoreResponse.Response | void>((resume) => {
    out.then((value) => resume(Effect.succeed(toCore(value))), (cause: unknown) => resume(Effect.die(cause)))
  })
}

const adapted = new WeakMap<(response: Response) => unknown, CoreHook>()

/** The core hook of a facade hook (one per hook function, so a session's hooks are adapted once). */
export const toCoreHook = (hook: (response: Response) => unknown): CoreHook => {
  let core = adapted.get(hook)
  if (core === undefined) adapted.set(hook, core = toCoreStep(hook))
  return core
}
