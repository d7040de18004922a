/** got 14 over a keep-alive http.Agent capped at C sockets, with p-limit(C). */
import { Agent } from "node:http"
import got from "got"
import pLimit from "p-limit"
import { runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  // No retries and no throw on status: a failure must show up as an error, not be hidden or retried.
  const client = got.extend({ agent: { http: agent }, retry: { limit: 0 }, throwHttpErrors: false })
  const limit = pLimit(concurrency)
  return {
    batch: async (count, tally) => {
      await Promise.all(
        Array.from({ length: count }, () =>
          limit(async () => {
            try {
              const response = await client.get(url, { responseType: "buffer" })
              tally.check(response.statusCode, response.body.byteLength)
            } catch (error) {
              tally.fail(error)
            }
          })
        )
      )
    },
    close: async () => agent.destroy()
  }
})
