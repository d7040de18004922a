import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { Httpbin, HttpbinStartError, startHttpbin } from "@requests-futures/httpbin"

const getStatus = (url: string) =>
  Effect.tryPromise(async () => {
    const res = await fetch(url)
    await res.arrayBuffer()
    return res.status
  })

describe("Httpbin (Effect)", () => {
  it.scoped("Httpbin.make starts a server for the scope", () =>
    Effect.gen(function* () {
      const server = yield* Httpbin.make()
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(yield* getStatus(`${server.url}/get`)).toBe(200)
    })
  )

  it.effect("closes the server when the scope closes", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const server = yield* Httpbin.make().pipe(Scope.extend(scope))
      expect(yield* getStatus(`${server.url}/status/204`)).toBe(204)
      yield* Scope.close(scope, Exit.void)
      const after = yield* Effect.either(getStatus(`${server.url}/get`))
      expect(after._tag).toBe("Left")
    })
  )

  it.scoped("Httpbin.layer provides the service", () =>
    Effect.gen(function* () {
      const server = yield* Httpbin
      expect(yield* getStatus(`${server.url}/ip`)).toBe(200)
    }).pipe(Effect.provide(Httpbin.layer()))
  )

  it.scoped("a taken port is a typed HttpbinStartError", () =>
    Effect.gen(function* () {
      const taken = yield* Effect.acquireRelease(
        Effect.promise(() => startHttpbin()),
        (server) => Effect.promise(() => server.close())
      )
      const error = yield* Effect.flip(Httpbin.make({ port: taken.port }))
      expect(error).toBeInstanceOf(HttpbinStartError)
      expect(error._tag).toBe("HttpbinStartError")
      expect(error.port).toBe(taken.port)
      expect(error.message).toMatch(/EADDRINUSE/)
    })
  )
})
