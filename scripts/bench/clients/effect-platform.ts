/** Plain @effect/platform HttpClient on NodeHttpClient.layerUndici, Effect.forEach with concurrency C. */
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  // One runtime for warm-up and timed batch, so both use the same undici Agent and its connections.
  // That Agent has no per-origin connection cap and undici reuses a socket only one event-loop turn
  // after a response ends, so expect up to 2×C connections: the default we mean to measure.
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const client = await runtime.runPromise(HttpClient.HttpClient)
  const indices = (count: number): ReadonlyArray<number> => Array.from({ length: count }, (_, i) => i)
  return {
    batch: (count, tally) =>
      runtime.runPromise(
        Effect.forEach(
          indices(count),
          () =>
            client.get(url).pipe(
              Effect.flatMap((response) =>
                Effect.map(response.arrayBuffer, (bytes) => tally.check(response.status, bytes.byteLength))
              ),
              Effect.catchAllCause((cause) => Effect.sync(() => tally.fail(Cause.squash(cause))))
            ),
          { concurrency, discard: true }
        )
      ),
    close: () => runtime.dispose()
  }
})
