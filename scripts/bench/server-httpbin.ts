/**
 * The fallback server process: starts the embedded httpbin and answers the runner's "stats" IPC
 * messages with the connections accepted so far. A wrapper rather than the httpbin CLI because the
 * count has to come from inside the server's process without adding an endpoint to httpbin.
 *
 * Spawned by server.ts: node --import tsx scripts/bench/server-httpbin.ts --port N (with an IPC channel)
 */
import { Server } from "node:net"
import type { HttpbinMessage } from "./server.js"

const send = (message: HttpbinMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) resolve()
    else process.send(message, undefined, {}, () => resolve())
  })

interface Started {
  readonly stats: () => number | null
  readonly close: () => Promise<void>
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null

/** Adapts whatever startHttpbin returns: prefers its stats(), else counts "connection" events itself. */
const start = async (port: number): Promise<Started> => {
  // A string variable: the package is still a placeholder, so its current types lack startHttpbin.
  const specifier: string = "@requests-futures/httpbin"
  const mod: unknown = await import(specifier)
  const startHttpbin = isObject(mod) && "startHttpbin" in mod ? mod.startHttpbin : undefined
  if (typeof startHttpbin !== "function") throw new Error(`"${specifier}" does not export startHttpbin yet`)

  const server: unknown = await startHttpbin({ port })
  const close = async () => {
    if (isObject(server) && "close" in server && typeof server.close === "function") await server.close()
  }

  if (isObject(server) && "stats" in server && typeof server.stats === "function") {
    const stats = server.stats.bind(server)
    return {
      stats: () => {
        const value: unknown = stats()
        return isObject(value) && "accepted" in value && typeof value.accepted === "number" ? value.accepted : null
      },
      close
    }
  }
  const netServer = server instanceof Server ? server : isObject(server) && "server" in server ? server.server : null
  if (netServer instanceof Server) {
    let accepted = 0
    netServer.on("connection", () => accepted++)
    return { stats: () => accepted, close }
  }
  return { stats: () => null, close }
}

const portIndex = process.argv.indexOf("--port")
const port = Number(process.argv[portIndex + 1])

start(port).then(
  (started) => {
    process.on("message", (message: unknown) => {
      if (isObject(message) && "type" in message && message.type === "stats") {
        void send({ type: "stats", accepted: started.stats() })
      }
    })
    const shutdown = () => {
      started.close().finally(() => process.exit(0))
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
