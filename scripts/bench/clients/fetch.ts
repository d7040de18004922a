/**
 * Node's global fetch (its own bundled undici and global dispatcher), C requests in flight. The
 * global Agent has no per-origin connection cap, so like effect-platform it may open up to 2×C.
 */
import { runClient, runLimited } from "./harness.js"

runClient(async ({ url, concurrency }) => ({
  batch: (count, tally) =>
    runLimited(count, concurrency, async () => {
      try {
        const response = await fetch(url)
        const bytes = await response.arrayBuffer()
        tally.check(response.status, bytes.byteLength)
      } catch (error) {
        tally.fail(error)
      }
    }),
  close: async () => {}
}))
