/**
 * OURS, Promise API: `new FuturesSession({ maxWorkers: C })` from "requests-futures" (with
 * `perHost: { maxWorkers: C }` when run as ours-promise-perhost).
 */
import { FuturesSession } from "requests-futures"
import { consumeInOrder, runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  const perHost = process.env["RF_BENCH_PER_HOST"] === "1" ? { perHost: { maxWorkers: concurrency } } : {}
  const session = new FuturesSession({ maxWorkers: concurrency, ...perHost })
  return {
    // requests-futures style: queue every future at once and let the executor bound what is in flight.
    // Each future is dropped once checked, as every other client drops its response (see harness.ts).
    batch: async (count, tally) => {
      const futures = Array.from({ length: count }, () => session.get(url))
      for (const future of consumeInOrder(futures)) {
        try {
          const response = await future
          tally.check(response.statusCode, response.content.byteLength)
        } catch (error) {
          tally.fail(error)
        }
      }
    },
    close: async () => {
      await session.close()
    }
  }
})
