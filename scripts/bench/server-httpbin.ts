/**
 * The fallback server process: starts the embedded httpbin and answers the runner's "stats" IPC
 * messages with its stats().accepted. A wrapper rather than the httpbin CLI because the count lives
 * inside the server's process and httpbin has (rightly) no HTTP endpoint for it.
 *
 * Spawned by server.ts as node scripts/bench/build/server-httpbin.js --port N, with an IPC channel.
 */
import { startHttpbin } from "@requests-futures/httpbin"

/** Messages between the runner (server.ts) and this process over the Node IPC channel. */
export type HttpbinMessage =
  | { readonly type: "ready" }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "stats"; readonly accepted: number | null }

const send = (message: HttpbinMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) resolve()
    else process.send(message, undefined, {}, () => resolve())
  })

const portIndex = process.argv.indexOf("--port")
const port = Number(process.argv[portIndex + 1])

startHttpbin({ port }).then(
  (server) => {
    process.on("message", (message: unknown) => {
      if (typeof message === "object" && message !== null && "type" in message && message.type === "stats") {
        void send({ type: "stats", accepted: server.stats().accepted })
      }
    })
    const shutdown = () => {
      server.close().finally(() => process.exit(0))
    }
    process.on("SIGTERM", shutdown)
    // The runner died without stopping us: do not linger as an orphan.
    process.on("disconnect", shutdown)
    void send({ type: "ready" })
  },
  (error: unknown) => {
    // Exit only once the message is out, or the runner would just see a silent exit.
    void send({ type: "error", message: error instanceof Error ? error.message : String(error) }).then(() =>
      process.exit(1)
    )
  }
)
