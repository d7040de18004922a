import * as Effect from "effect/Effect"
import * as net from "node:net"

/** A port on 127.0.0.1 that nothing listens on (bound, then released): a refused connection. */
export const freePort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)
