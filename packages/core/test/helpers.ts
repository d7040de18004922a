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

/**
 * Polls `f` every 10 ms until it holds or `timeoutMs` passes, and returns whether it holds: what a test
 * waits on instead of sleeping a fixed time and hoping the state is reached (the server learns of a
 * closed socket a moment after the client; a worker starts on the executor's next turn).
 */
export const eventually = (f: () => boolean, timeoutMs = 5000): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const deadline = Date.now() + timeoutMs
    while (!f() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    return f()
  })
