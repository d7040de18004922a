/**
 * OURS, Effect API: `FuturesSession` from "@requests-futures/core" with maxWorkers C.
 *
 * WRITTEN AGAINST AN ASSUMED API (core was work in progress), matching its FuturesSession.ts doc comment:
 *   FuturesSession.make({ maxWorkers }): Effect<Session, E, Scope>
 *   session.get(url): Effect<Future>,   future.result(): Effect<Response, E>
 *   Response: { statusCode: number, content: Uint8Array }
 * When the package lands, replace the dynamic import and the `Assumed*` types with static imports.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { ClientUnavailable, runClient } from "./harness.js"

interface AssumedResponse {
  readonly statusCode: number
  readonly content: Uint8Array
}
interface AssumedFuture {
  readonly result: () => Effect.Effect<AssumedResponse, unknown>
}
interface AssumedSession {
  readonly get: (url: string) => Effect.Effect<AssumedFuture, unknown>
}
interface AssumedFuturesSession {
  readonly make: (options: { readonly maxWorkers: number }) => Effect.Effect<AssumedSession, unknown, Scope.Scope>
}

const loadFuturesSession = async (): Promise<AssumedFuturesSession> => {
  // A string variable keeps tsc from checking the placeholder's current types against the assumed API.
  const specifier: string = "@requests-futures/core"
  let mod: unknown
  try {
    mod = await import(specifier)
  } catch (error) {
    throw new ClientUnavailable(`import("${specifier}") failed: ${String(error)}`)
  }
  const FuturesSession: unknown =
    typeof mod === "object" && mod !== null && "FuturesSession" in mod ? mod.FuturesSession : undefined
  const make: unknown =
    typeof FuturesSession === "object" && FuturesSession !== null && "make" in FuturesSession
      ? FuturesSession.make
      : undefined
  if (typeof make !== "function") {
    throw new ClientUnavailable(`"${specifier}" does not export FuturesSession.make yet`)
  }
  return FuturesSession as AssumedFuturesSession
}

runClient(async ({ url, concurrency }) => {
  const FuturesSession = await loadFuturesSession()
  // A scope we close ourselves, so the session (and its executor) outlives warm-up and timed batch.
  const scope = Effect.runSync(Scope.make())
  const session = await Effect.runPromise(Scope.extend(FuturesSession.make({ maxWorkers: concurrency }), scope))
  return {
    // requests-futures style: queue every future first, then collect them; the executor bounds concurrency.
    batch: (count, tally) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const futures = yield* Effect.forEach(Array.from({ length: count }), () => session.get(url))
          for (const future of futures) {
            yield* future.result().pipe(
              Effect.map((response) => tally.check(response.statusCode, response.content.byteLength)),
              Effect.catchAllCause((cause) => Effect.sync(() => tally.fail(Cause.squash(cause))))
            )
          }
        })
      ),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
})
