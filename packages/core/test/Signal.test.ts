import { describe, expect, it, layer } from "@effect/vitest"
import { Errors, Executor, Future, FuturesSession, Session } from "@requests-futures/core"
import { Httpbin } from "@requests-futures/httpbin"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { getEventListeners } from "node:events"

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length

/** Aborts `controller` once the server has the request with that track id. */
const abortWhenSeen = (trackId: string, controller: AbortController, reason: unknown) =>
  Effect.flatMap(Httpbin, (server) =>
    Effect.promise(async () => {
      expect(await server.waitForRequest(trackId, 3000)).toBeDefined()
      controller.abort(reason)
    }))

const seen = (trackId: string) => Effect.map(Httpbin, (server) => server.requestInfo(trackId) !== undefined)

layer(Httpbin.layer())("signal", (it) => {
  describe("Session", () => {
    it.scoped("aborting a running request closes its socket and fails it with RequestCancelled and the reason", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const session = yield* Session.make()
        const controller = new AbortController()
        const reason = new Error("user left")
        const [error] = yield* Effect.all([
          Effect.flip(session.get(`${server.url}/delay/5`, {
            signal: controller.signal,
            headers: { "X-Track-Id": "session-running" }
          })),
          abortWhenSeen("session-running", controller, reason)
        ], { concurrency: "unbounded" })
        expect(error._tag).toBe("RequestCancelled")
        const cancelled = error as Errors.RequestCancelled
        expect(cancelled.cause).toBe(reason)
        expect(cancelled.wasRunning).toBe(true)
        expect(cancelled.message).toContain("user left")
        expect(yield* Effect.promise(() => server.waitForClientClose("session-running", 2000))).toBe(true)
        expect(listeners(controller.signal)).toBe(0)
      }))

    it.scoped("an aborted signal fails at once, and nothing is sent", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const signal = AbortSignal.abort("too late")
        const error = yield* Effect.flip(session.get(`${url}/get`, { signal, headers: { "X-Track-Id": "pre-aborted" } }))
        expect(error).toBeInstanceOf(Errors.RequestCancelled)
        expect(error).toMatchObject({ cause: "too late", wasRunning: false, method: "GET" })
        // a later request on the same connection pool reaches the server; the cancelled one never did
        yield* session.get(`${url}/get`)
        expect(yield* seen("pre-aborted")).toBe(false)
      }))

    it.scoped("the session's signal cancels its running requests and fails later ones; a request's null ignores it", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const controller = new AbortController()
        const session = yield* Session.make({ signal: controller.signal })
        const [error] = yield* Effect.all([
          Effect.flip(session.get(`${server.url}/delay/5`, { headers: { "X-Track-Id": "session-signal" } })),
          abortWhenSeen("session-signal", controller, "closing")
        ], { concurrency: "unbounded" })
        expect(error).toMatchObject({ _tag: "RequestCancelled", cause: "closing" })
        expect(yield* Effect.promise(() => server.waitForClientClose("session-signal", 2000))).toBe(true)
        expect((yield* Effect.flip(session.get(`${server.url}/get`)))._tag).toBe("RequestCancelled")
        expect((yield* session.get(`${server.url}/get`, { signal: null })).statusCode).toBe(200)
      }))

    it.scoped("a signal aborted while a hook runs (the work on a fiber) interrupts it", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const controller = new AbortController()
        let interrupted = false
        const hook = () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted = true)))
        const error = yield* Effect.flip(session.get(`${url}/get`, {
          signal: controller.signal,
          hooks: { response: [() => void setTimeout(() => controller.abort("stop"), 50), hook] }
        }))
        expect(error).toMatchObject({ _tag: "RequestCancelled", cause: "stop", wasRunning: true })
        expect(interrupted).toBe(true)
        expect(listeners(controller.signal)).toBe(0)
      }))

    it.scoped("1,000 requests with one long-lived session signal leave no listener on it", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const controller = new AbortController()
        const session = yield* Session.make({ signal: controller.signal })
        const own = new AbortController()
        // while a request runs, both its signals are listened to
        const inFlight = yield* Effect.fork(session.get(`${url}/delay/0.3`, {
          signal: own.signal,
          headers: { "X-Track-Id": "listened" }
        }))
        yield* Effect.flatMap(Httpbin, (server) => Effect.promise(() => server.waitForRequest("listened", 3000)))
        expect(listeners(controller.signal) + listeners(own.signal)).toBe(2)
        yield* inFlight.await
        yield* Effect.forEach(Array.from({ length: 1000 }), () => session.get(`${url}/get`), { concurrency: 16 })
        // and requests that fail, or continue on a fiber (a hook that throws)
        const failing = { response: () => Effect.die("no") }
        const failed = yield* Effect.forEach(
          Array.from({ length: 50 }),
          () => Effect.flip(session.get(`${url}/status/404`, { hooks: failing })),
          { concurrency: 8 }
        )
        expect(failed.every((e) => e._tag === "HookError")).toBe(true)
        expect(listeners(controller.signal)).toBe(0)
        expect(listeners(own.signal)).toBe(0)
      }), 30_000)

    it.scoped("a signal that is no AbortSignal is an InvalidOption, for a request and for a session", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const error = yield* Effect.flip(session.get(`${url}/get`, { signal: "stop" as unknown as AbortSignal }))
        expect(error).toMatchObject({ _tag: "InvalidOption", option: "signal", value: "stop" })
        const made = yield* Effect.flip(Session.make({ signal: {} as AbortSignal }))
        expect(made).toMatchObject({ _tag: "InvalidOption", option: "signal" })
      }))
  })

  describe("FuturesSession", () => {
    it.scoped("a queued future aborted by its signal is never sent: CancelledError with the reason \"signal\"", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const session = yield* FuturesSession.make({ maxWorkers: 1 })
        const controller = new AbortController()
        const first = yield* session.get(`${server.url}/delay/0.3`)
        const queued = yield* session.get(`${server.url}/get`, {
          signal: controller.signal,
          headers: { "X-Track-Id": "future-queued" }
        })
        expect(yield* queued.running).toBe(false)
        controller.abort("not needed")
        const error = yield* Effect.flip(queued.result())
        expect(error).toMatchObject({ _tag: "CancelledError", reason: "signal", cause: "not needed", wasRunning: false })
        expect(error.message).toContain("AbortSignal")
        yield* first.result()
        yield* Effect.flatMap(session.get(`${server.url}/get`), (f) => f.result())
        expect(yield* seen("future-queued")).toBe(false)
        expect(listeners(controller.signal)).toBe(0)
      }))

    it.scoped("a running future aborted by the session's signal has its socket closed", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const controller = new AbortController()
        const session = yield* FuturesSession.make({ maxWorkers: 1, signal: controller.signal })
        const running = yield* session.get(`${server.url}/delay/5`, { headers: { "X-Track-Id": "future-running" } })
        yield* abortWhenSeen("future-running", controller, "bye")
        const error = yield* Effect.flip(running.result())
        expect(error).toMatchObject({ _tag: "CancelledError", reason: "signal", cause: "bye", wasRunning: true })
        expect(yield* Effect.promise(() => server.waitForClientClose("future-running", 2000))).toBe(true)
        expect((yield* session.executor.stats).cancelled).toBe(1)
        // later requests of the session are cancelled at once
        const later = yield* session.get(`${server.url}/get`, { headers: { "X-Track-Id": "future-later" } })
        expect((yield* Effect.flip(later.result()))._tag).toBe("CancelledError")
        expect(yield* seen("future-later")).toBe(false)
        expect(listeners(controller.signal)).toBe(0)
      }))
  })

  describe("managed blocking", () => {
    it.scoped("work that waits on a future queued behind it on its own executor (maxWorkers: 1) finishes", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const session = yield* FuturesSession.make({ executor })
        const outer = yield* executor.submit(Effect.gen(function*() {
          const inner = yield* session.get(`${url}/get`)
          expect(yield* inner.running).toBe(false)
          // the worker lends its slot while it waits
          const response = yield* inner
          return response.statusCode
        }))
        expect(yield* outer.result({ timeout: Duration.seconds(5) })).toBe(200)
        const stats = yield* executor.stats
        expect(stats).toMatchObject({ lent: 0, running: 0, completed: 2 })
        // the bound holds again once the wait is over
        const futures = yield* Effect.forEach([0, 1], () => session.get(`${url}/delay/0.2`))
        expect((yield* executor.stats).running).toBe(1)
        yield* Future.wait(futures)
      }))

    it.scoped("nested: each worker that waits lends its slot, and waiting on a running future lends none", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const leaf = Effect.succeed(1)
        const middle = Effect.flatMap(executor.submit(leaf), (f) => Effect.map(f, (n) => n + 1))
        const top = yield* executor.submit(Effect.flatMap(executor.submit(middle), (f) => Effect.map(f, (n) => n + 1)))
        expect(yield* top.result({ timeout: Duration.seconds(5) })).toBe(3)
        expect((yield* executor.stats).lent).toBe(0)
      }))
  })
})

describe("signal with a shared executor layer", () => {
  it.effect("a future of a session on a provided executor honours the request's signal", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* FuturesSession.FuturesSession
      const controller = new AbortController()
      const future = yield* session.get(`${server.url}/delay/5`, {
        signal: controller.signal,
        headers: { "X-Track-Id": "layer-running" }
      })
      yield* abortWhenSeen("layer-running", controller, "layer")
      expect(yield* Effect.flip(future.result())).toMatchObject({ reason: "signal", cause: "layer" })
    }).pipe(
      Effect.provide(Layer.merge(
        Httpbin.layer(),
        FuturesSession.layer().pipe(Layer.provide(Executor.layer({ maxWorkers: 1 })))
      ))
    ))
})
