/** undici 7 Pool with C connections: the baseline every other client is divided by. */
import { Pool } from "undici"
import { runClient, runLimited } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  const target = new URL(url)
  const pool = new Pool(target.origin, { connections: concurrency })
  const path = target.pathname + target.search
  return {
    batch: (count, tally) =>
      runLimited(count, concurrency, async () => {
        try {
          const { statusCode, body } = await pool.request({ method: "GET", path })
          // Materialise the body like every other client does, so the baseline pays the same copy.
          const bytes = await body.arrayBuffer()
          tally.check(statusCode, bytes.byteLength)
        } catch (error) {
          tally.fail(error)
        }
      }),
    close: () => pool.close()
  }
})
