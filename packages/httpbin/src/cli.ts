import { parseArgs } from "node:util"
import { startHttpbin } from "./server.js"

/**
 * `httpbin [--port 8080] [--host 127.0.0.1]`: serves until SIGINT/SIGTERM. The first line on
 * stdout is the base URL, so scripts can start it with --port 0 and read where it listens.
 */

const USAGE = `usage: httpbin [--port <port>] [--host <host>]

  --port, -p  port to listen on (default 8080; 0 picks a free port)
  --host, -H  interface to bind (default 127.0.0.1)
  --help, -h  show this help
`

const fail = (message: string): never => {
  process.stderr.write(`httpbin: ${message}\n\n${USAGE}`)
  process.exit(2)
}

const parseCli = (argv: ReadonlyArray<string>): { readonly port: number; readonly host: string } => {
  let values: { port?: string | undefined; host?: string | undefined; help?: boolean | undefined }
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string", short: "H" },
        help: { type: "boolean", short: "h" }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
  if (values.help === true) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  const portText = values.port ?? "8080"
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 0 && port <= 65535)) fail(`invalid port ${JSON.stringify(portText)}`)
  return { port, host: values.host ?? "127.0.0.1" }
}

const main = async (): Promise<void> => {
  const { port, host } = parseCli(process.argv.slice(2))
  const server = await startHttpbin({ port, host, logErrors: true }).catch((error: unknown) =>
    fail(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`)
  )
  process.stdout.write(`${server.url}\n`)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`httpbin: ${signal}, closing\n`)
    void server.close().then(() => process.exit(0))
  }
  process.once("SIGINT", () => stop("SIGINT"))
  process.once("SIGTERM", () => stop("SIGTERM"))
}

await main()
