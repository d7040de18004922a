/**
 * OURS, Effect API: `FuturesSession` from "@requests-futures/core" with maxWorkers C.
 */
import { FuturesSession } from "@requests-futures/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { consumeInOrder, runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  // A scope we close ourselves, so the session (and its executor) outlives warm-up and timed batch.
  const scope = Effect.runSync(Scope.make())
  const session = await Effect.runPromise(Scope.extend(FuturesSession.make({ maxWorkers: concurrency }), scope))
  return {
    // requests-futures style: queue every future first, then collect them; the executor bounds concurrency.
    // Each future is dropped once checked, as every other client drops its response (see harness.ts).
    batch: (count, tally) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const futures = yield* Effect.forEach(Array.from({ length: count }), () => session.get(url))
          for (const future of consumeInOrder(futures)) {
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
