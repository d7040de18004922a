import { type HttpbinServer, startHttpbin } from "@requests-futures/httpbin"
import * as net from "node:net"
import { afterAll, beforeAll } from "vitest"

/** The embedded httpbin, started once per test file. */
export const useHttpbin = (): { readonly server: HttpbinServer; readonly url: string } => {
  let server: HttpbinServer | undefined
  beforeAll(async () => {
    server = await startHttpbin()
  })
  afterAll(() => server?.close())
  return {
    get server() {
      if (server === undefined) throw new Error("httpbin is not started")
      return server
    },
    get url() {
      return this.server.url
    }
  }
}

/** A port nothing listens on: connecting to it is refused. */
export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The echo JSON httpbin sends back. */
export type { Echo } from "@requests-futures/httpbin"
