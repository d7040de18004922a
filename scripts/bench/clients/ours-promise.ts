/**
 * OURS, Promise API: `new FuturesSession({ maxWorkers: C })` from "requests-futures".
 */
import { FuturesSession } from "requests-futures"
import { consumeInOrder, runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  const session = new FuturesSession({ maxWorkers: concurrency })
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
