import { describe, expect, it } from "@effect/vitest"
import { Executor, Future, FuturesSession, Response, Session } from "@requests-futures/core"
import { type Echo, Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cause from "effect/Cause"
import * as Stream from "effect/Stream"
import { eventually, freePort } from "./helpers.js"


const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const value = yield* effect
    return { value, ms: performance.now() - start }
  })

describe("FuturesSession", () => {
  it.live("the bound holds: 10 × /delay/1 take ~1 s on 10 workers and ~5 s on 2, on at most maxWorkers connections", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      for (const maxWorkers of [10, 2]) {
        server.resetStats()
        const { ms } = yield* timed(
          Effect.gen(function*() {
            const session = yield* FuturesSession.make({ maxWorkers })
            const futures = yield* Effect.forEach(Array.from({ length: 10 }), () => session.get(`${server.url}/delay/1`))
            const responses = yield* Effect.forEach(futures, (f) => f.result())
            expect(responses.every((r) => r.statusCode === 200)).toBe(true)
          }).pipe(Effect.scoped)
        )
        const expected = 1000 * Math.ceil(10 / maxWorkers)
        expect(ms).toBeGreaterThanOrEqual(expected - 50)
        expect(ms).toBeLessThan(expected + 2500)
        expect(server.stats().accepted).toBeLessThanOrEqual(maxWorkers)
      }
    }).pipe(Effect.scoped), 30_000)

  it.live("cancelling a running future closes its socket and frees its slot at once", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1 })
      const slow = yield* session.get(`${server.url}/delay/5`, { headers: { "X-Track-Id": "cancel-running" } })
      yield* Effect.promise(() => server.waitForRequest("cancel-running", 2000))
      const next = yield* session.get(`${server.url}/get`)
      expect(yield* slow.running).toBe(true)
      expect(yield* next.running).toBe(false)

      expect(yield* slow.cancel).toBe(true)
      expect(yield* Effect.promise(() => server.waitForClientClose("cancel-running", 2000))).toBe(true)
      const { ms, value } = yield* timed(next.result())
      expect(value.statusCode).toBe(200)
      expect(ms).toBeLessThan(1000)
      const error = yield* Effect.flip(slow.result())
      expect(error._tag).toBe("CancelledError")
      expect(yield* slow.cancelled).toBe(true)
      expect(yield* slow.cancel).toBe(true)
      expect(yield* next.cancel).toBe(false)
    }).pipe(Effect.scoped))

  it.live("a cancelled queued future never reaches the server", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1 })
      const first = yield* session.get(`${server.url}/delay/0.3`)
      const queued = yield* session.get(`${server.url}/get`, { headers: { "X-Track-Id": "cancel-queued" } })
      expect(yield* queued.running).toBe(false)
      expect(yield* queued.cancel).toBe(true)
      expect((yield* first.result()).statusCode).toBe(200)
      const after = yield* session.get(`${server.url}/get`)
      yield* after.result()
      expect(server.requests().some((r) => r.trackId === "cancel-queued")).toBe(false)
      const stats = yield* session.executor.stats
      expect(stats).toMatchObject({ running: 0, queued: 0, cancelled: 1, completed: 2 })
    }).pipe(Effect.scoped))

  it.live("no leaks: 10,000 futures of successes, HTTP errors, refused connections, timeouts and cancellations", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const refused = yield* freePort
      const counts = { ok: 0, httpError: 0, connection: 0, timeout: 0, cancelled: 0 }
      let cancelAccepted = 0
      yield* Effect.gen(function*() {
        const session = yield* FuturesSession.make({ maxWorkers: 32 })
        const futures = []
        for (let i = 0; i < 10_000; i++) {
          const kind = i % 10
          const future = yield* (
            kind === 6
              ? session.get(`${server.url}/status/503`)
              : kind === 7
              ? session.get(`http://127.0.0.1:${refused}/`)
              : kind === 8
              ? session.get(`${server.url}/fault/stall-headers/1000`, { timeout: { read: 10 } })
              : session.get(`${server.url}/get`)
          )
          if (kind === 9 && (yield* future.cancel)) cancelAccepted++
          futures.push(future)
        }
        for (const future of futures) {
          const exit = yield* future.await
          if (Exit.isSuccess(exit)) {
            if (exit.value.statusCode === 200) counts.ok++
            else counts.httpError++
          } else {
            const tag = (Cause.squash(exit.cause) as { readonly _tag?: string })._tag
            if (tag === "ConnectionError") counts.connection++
            else if (tag === "ReadTimeout") counts.timeout++
            else if (tag === "CancelledError") counts.cancelled++
          }
        }
        const stats = yield* session.executor.stats
        expect(stats.running).toBe(0)
        expect(stats.queued).toBe(0)
        expect(stats.completed + stats.failed + stats.cancelled).toBe(10_000)
        expect(stats.cancelled).toBe(counts.cancelled)
      }).pipe(Effect.scoped)
      // A cancel that lost the race to a fast response returns false, and that future succeeded.
      expect(counts.cancelled).toBe(cancelAccepted)
      expect(cancelAccepted).toBeGreaterThan(900)
      expect(counts).toEqual({
        ok: 7000 - cancelAccepted,
        httpError: 1000,
        connection: 1000,
        timeout: 1000,
        cancelled: cancelAccepted
      })
      expect(yield* eventually(() => server.stats().open === 0)).toBe(true)
      expect(server.stats().accepted).toBeLessThanOrEqual(32 + 1000)
    }).pipe(Effect.scoped), 60_000)

  it.live("response hooks, then the background callback, run in the worker before the future resolves", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const order: Array<string> = []
      const session = yield* FuturesSession.make({ hooks: { response: () => void order.push("session hook") } })
      const future = yield* session.get(`${server.url}/json`, {
        hooks: { response: () => void order.push("request hook") },
        backgroundCallback: (_, response) => {
          order.push("background callback")
          return response.copy({ reason: "Parsed in the worker" })
        }
      })
      yield* future.addDoneCallback(() => void order.push("done callback"))
      const response = yield* future.result()
      expect(order).toEqual(["session hook", "request hook", "background callback", "done callback"])
      expect(response.reason).toBe("Parsed in the worker")
    }).pipe(Effect.scoped))

  it.live("a failing background callback is the future's failure", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make()
      const thrown = yield* session.get(`${server.url}/get`, {
        backgroundCallback: () => {
          throw new Error("callback broke")
        }
      })
      const error = yield* Effect.flip(thrown.result())
      expect(error._tag).toBe("HookError")
      expect(error.message).toContain("callback broke")
      const failed = yield* session.get(`${server.url}/html`, {
        backgroundCallback: (_, response) => Effect.asVoid(Response.json(response))
      })
      expect((yield* Effect.flip(failed.result()))._tag).toBe("JsonDecodeError")
      expect((yield* session.executor.stats).running).toBe(0)
    }).pipe(Effect.scoped))

  it.live("a request future is an Effect: yield* gives the response, or the request's typed error", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const refused = yield* freePort
      const session = yield* FuturesSession.make({ maxWorkers: 2 })
      const future = yield* session.get(`${server.url}/get`, { params: { q: "yielded" } })
      const response = yield* future
      expect(response.statusCode).toBe(200)
      expect(((yield* Response.json(response)) as Echo).args).toEqual({ q: "yielded" })
      const offline = yield* session.get(`http://127.0.0.1:${refused}/`)
      const error = yield* Effect.flip(offline)
      expect(error._tag).toBe("ConnectionError")
      const [a, b] = yield* Effect.all([session.get(`${server.url}/status/201`), session.get(`${server.url}/status/202`)])
      expect((yield* Effect.all([a, b])).map((r) => r.statusCode)).toEqual([201, 202])
    }).pipe(Effect.scoped))

  it.live("an executor shared by two sessions keeps one bound and outlives them", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const executor = yield* Executor.make({ maxWorkers: 2 })
      const { ms } = yield* timed(
        Effect.gen(function*() {
          const a = yield* FuturesSession.make({ executor })
          const b = yield* FuturesSession.make({ executor })
          const futures = yield* Effect.forEach([a, b, a, b], (s) => s.get(`${server.url}/delay/0.4`))
          yield* Effect.forEach(futures, (f) => f.result())
          expect(a.ownsExecutor).toBe(false)
        }).pipe(Effect.scoped)
      )
      expect(ms).toBeGreaterThanOrEqual(750)
      expect(yield* executor.isShutdown).toBe(false)
      const c = yield* FuturesSession.make({ executor })
      expect((yield* (yield* c.get(`${server.url}/get`)).result()).statusCode).toBe(200)
    }).pipe(Effect.scoped))

  it.live("closing a session shuts down the executor it made", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make().pipe(Effect.scoped)
      const error = yield* Effect.flip(session.get(`${server.url}/get`))
      expect(error._tag).toBe("ExecutorShutdown")
    }).pipe(Effect.scoped))

  it.live("timings separate the time queued from the time on the network", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1 })
      const first = yield* session.get(`${server.url}/delay/0.3`)
      const second = yield* session.get(`${server.url}/get`)
      const a = yield* first.result()
      const b = yield* second.result()
      expect(a.timings.queued).toBeLessThan(100)
      expect(a.timings.elapsed).toBeGreaterThanOrEqual(280)
      expect(b.timings.queued).toBeGreaterThanOrEqual(250)
      expect(b.timings.elapsed).toBeLessThan(250)
      expect(b.timings.total).toBeGreaterThanOrEqual(b.timings.elapsed)
    }).pipe(Effect.scoped))

  it.live("a passed-in session lends its jar and headers; the FuturesSession's settings are merged over them", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const base = yield* Session.make({ headers: { "X-Base": "base", "X-Both": "base" } })
      base.cookies.set("from", "base")
      const session = yield* FuturesSession.make({ session: base, headers: { "X-Both": "futures" } })
      const response = yield* (yield* session.get(`${server.url}/cookies/set/added/here`)).result()
      const body = (yield* Response.json(response)) as { cookies: Record<string, string> }
      expect(body.cookies).toEqual({ from: "base", added: "here" })
      expect(base.cookies.get("added")).toBe("here")
      const headers = (yield* Response.json(yield* (yield* session.get(`${server.url}/headers`)).result())) as {
        headers: Record<string, string>
      }
      expect(headers.headers["X-Base"]).toBe("base")
      expect(headers.headers["X-Both"]).toBe("futures")
    }).pipe(Effect.scoped))

  it.live("asCompleted yields futures as they finish; wait returns at the first completion", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 3 })
      const slow = yield* session.get(`${server.url}/delay/0.6`)
      const medium = yield* session.get(`${server.url}/delay/0.3`)
      const fast = yield* session.get(`${server.url}/get`)
      const { done, notDone } = yield* Future.wait([slow, medium, fast], { returnWhen: "FIRST_COMPLETED" })
      expect([...done]).toEqual([fast])
      expect(notDone.has(slow)).toBe(true)
      const order = yield* Stream.runCollect(Future.asCompleted([slow, medium, fast]))
      expect(Array.from(order)).toEqual([fast, medium, slow])
    }).pipe(Effect.scoped))
})
