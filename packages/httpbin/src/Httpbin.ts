import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { startHttpbin, type HttpbinOptions, type HttpbinServer } from "./server.js"

/** The server could not start, typically because the port is taken (EADDRINUSE). */
export class HttpbinStartError extends Data.TaggedError("HttpbinStartError")<{
  readonly host: string
  readonly port: number
  readonly message: string
  readonly cause: unknown
}> {}

const make = (options: HttpbinOptions = {}): Effect.Effect<HttpbinServer, HttpbinStartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startHttpbin(options),
      catch: (cause) =>
        new HttpbinStartError({
          host: options.host ?? "127.0.0.1",
          port: options.port ?? 0,
          message: `httpbin could not start: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause
        })
    }),
    (server) => Effect.promise(() => server.close())
  )

/** The embedded httpbin as an Effect service; it runs for the lifetime of its scope. */
export class Httpbin extends Context.Tag("@requests-futures/httpbin/Httpbin")<Httpbin, HttpbinServer>() {
  /** Starts a server that closes when the scope closes. */
  static readonly make = make
  /** A layer providing Httpbin, started when the layer is built and closed with it. */
  static readonly layer = (options: HttpbinOptions = {}): Layer.Layer<Httpbin, HttpbinStartError> =>
    Layer.scoped(Httpbin, make(options))
}
