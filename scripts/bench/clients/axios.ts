/** axios 1 over a keep-alive http.Agent capped at C sockets, with p-limit(C). */
import { Agent } from "node:http"
import axios from "axios"
import pLimit from "p-limit"
import { runClient } from "./harness.js"

runClient(async ({ url, concurrency }) => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  // arraybuffer: measure transport, not JSON.parse; validateStatus: count non-200s instead of throwing.
  const client = axios.create({ httpAgent: agent, responseType: "arraybuffer", validateStatus: () => true })
  const limit = pLimit(concurrency)
  return {
    batch: async (count, tally) => {
      await Promise.all(
        Array.from({ length: count }, () =>
          limit(async () => {
            try {
              const response = await client.get<ArrayBuffer>(url)
              tally.check(response.status, response.data.byteLength)
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
