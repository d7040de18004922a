/**
 * Running the few core effects that are not requests (building a session, closing a scope): a failure
 * comes out as the error itself, never as an Effect `FiberFailure`.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { failureOf, fromRequestFailure } from "./errors.js"

const unwrap = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw fromRequestFailure(failureOf(exit.cause))
}

export const runSync = <A>(effect: Effect.Effect<A, unknown>): A => unwrap(Effect.runSyncExit(effect))

export const runPromise = <A>(effect: Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromiseExit(effect).then(unwrap)
