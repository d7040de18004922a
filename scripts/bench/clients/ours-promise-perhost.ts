/**
 * OURS, Promise API through the per-host scheduler: `new FuturesSession({ maxWorkers: C, perHost:
 * { maxWorkers: C } })` — the same work as ours-promise, keyed by origin and scheduled per host, so the
 * difference between the two rows is the per-host path's own cost.
 */
import { FuturesSession } from "requests-futures"
import { consumeInOrder, runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  const session = new FuturesSession({ maxWorkers: concurrency, perHost: { maxWorkers: concurrency } })
  return {
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
