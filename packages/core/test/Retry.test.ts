import { describe, expect, it } from "@effect/vitest"
import { Headers, Response, Retry, Session } from "@requests-futures/core"
import { Httpbin } from "@requests-futures/httpbin"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"

/** Real time passes (for the sockets) while the TestClock is moved on by `step`, until `fiber` is done. */
const driveClock = <A, E>(fiber: Fiber.Fiber<A, E>, step: Duration.DurationInput = "1 second") =>
  Effect.gen(function*() {
    for (let i = 0; i < 500 && (yield* fiber.poll)._tag === "None"; i++) {
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

/** A backoff that waits for nothing and remembers what it was asked to wait. */
const recordingBackoff = () => {
  const delays: Array<number> = []
  const backoff: Retry.Backoff = (delayMs) =>
    Effect.sync(() => {
      delays.push(delayMs)
    })
  return { delays, backoff }
}

const get = (session: Session.Session, url: string, retry: Retry.RetryInput, backoff?: Retry.Backoff) =>
  session.request({ method: "GET", url, retry }, { queuedMs: 0, backoff })

const waits = (response: Response.Response) => response.retries.map((attempt) => attempt.waitedMs)

describe("Retry", () => {
  it.effect("waits a random delay below min(maxDelay, backoff * 2^n), drawn from effect's Random", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make({ retry: { limit: 3, backoff: 1_000, maxDelay: 3_000 } })
      const run = (key: string, seed: string) =>
        Effect.fork(session.get(`${server.url}/flaky/${key}/3`).pipe(Effect.withRandom(Random.make(seed))))
      const started = Date.now()
      const first = yield* driveClock(yield* run("jitter-a", "seed"))
      const again = yield* driveClock(yield* run("jitter-b", "seed"))
      const other = yield* driveClock(yield* run("jitter-c", "another seed"))
      expect(first.statusCode).toBe(200)
      expect(first.retries.map((attempt) => attempt.status)).toEqual([503, 503, 503])
      const caps = [1_000, 2_000, 3_000]
      for (const response of [first, again, other]) {
        waits(response).forEach((waited, n) => {
          expect(waited).toBeGreaterThanOrEqual(0)
          expect(waited).toBeLessThanOrEqual(caps[n]!)
        })
      }
      // Jitter: not the caps themselves, the same for the same seed, different for another.
      expect(waits(first)).not.toEqual(caps)
      expect(waits(again)).toEqual(waits(first))
      expect(waits(other)).not.toEqual(waits(first))
      // Up to 6 s of backoff per request went by on the TestClock only.
      expect(Date.now() - started).toBeLessThan(5_000)
    }).pipe(Effect.scoped), 20_000)

  it.effect("a fixed Random shows the formula: r * min(maxDelay, backoff * 2^n), each handed to the backoff", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()
      const { backoff, delays } = recordingBackoff()
      const response = yield* get(session, `${server.url}/flaky/fixed/4`, {
        limit: 4,
        backoff: 1_000,
        maxDelay: 3_000
      }, backoff).pipe(Effect.withRandom(Random.fixed([0.5])))
      expect(delays).toEqual([500, 1_000, 1_500, 1_500])
      expect(waits(response)).toEqual(delays)
      expect(server.flakyCount("fixed")).toBe(5)
    }).pipe(Effect.scoped))

  it.live("a success after two failures lists them in response.retries", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 3, backoff: 20 } })
      const response = yield* session.get(`${server.url}/flaky/two/2`)
      expect(response.statusCode).toBe(200)
      expect(yield* Response.json(response)).toMatchObject({ key: "two", attempt: 3 })
      expect(response.retries).toHaveLength(2)
      expect(response.retries.map((attempt) => attempt.status)).toEqual([503, 503])
      expect(server.flakyCount("two")).toBe(3)
      const plain = yield* session.get(`${server.url}/get`)
      expect(plain.retries).toEqual([])
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("RetryError lists every attempt, the last with no wait, and says so", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 2, backoff: 20 } })
      const url = `${server.url}/status/503`
      const error = yield* Effect.flip(session.get(url))
      if (error._tag !== "RetryError") throw new Error(`expected RetryError, got ${error._tag}`)
      expect(error.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 503])
      expect(error.attempts[2]!.waitedMs).toBe(0)
      expect(error.message).toBe(`GET ${url}: gave up after 3 attempts (503, 503, 503)`)
      expect(error.response.retries).toEqual(error.attempts.slice(0, 2))
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("408 Request Timeout is retried by default", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 1, backoff: 10 } })
      const response = yield* session.get(`${server.url}/flaky/t408/1?status=408`)
      expect(response.statusCode).toBe(200)
      expect(response.retries.map((attempt) => attempt.status)).toEqual([408])
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("a connection error that was retried is listed by its tag", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 1, backoff: 10 } })
      const response = yield* session.get(`${server.url}/flaky/closed/1?close=1`)
      expect(response.statusCode).toBe(200)
      expect(response.retries).toHaveLength(1)
      expect(response.retries[0]!.error).toBe("ConnectionError")
      expect(response.retries[0]!.status).toBeUndefined()
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("with stream: true, a retried response's body is read off, so the next attempt reuses its connection", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 3, backoff: 10 } })
      const streamed = yield* session.get(`${server.url}/flaky/streamed/2`, { stream: true })
      const response = yield* Response.readBody(streamed)
      expect(yield* Response.json(response)).toMatchObject({ attempt: 3 })
      expect(server.stats().accepted).toBe(1)
      server.resetStats()
      // 2 MB of 503, more than a streamed body buffers: unread, it would hold its connection.
      const url = `${server.url}/drip?code=503&numbytes=2000000&duration=0`
      const error = yield* Effect.flip(session.get(url, { stream: true, retry: { limit: 2, backoff: 10 } }))
      if (error._tag !== "RetryError") throw new Error(`expected RetryError, got ${error._tag}`)
      expect(error.attempts).toHaveLength(3)
      expect(error.response.content.byteLength).toBe(2_000_000)
      // (the first may open a second connection while the last one is still being released)
      expect(server.stats().accepted).toBeLessThanOrEqual(1)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("Retry-After in seconds is the delay, capped by maxDelay", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make()
      const honoured = recordingBackoff()
      const response = yield* get(session, `${server.url}/flaky/ra/1?retry_after=2`, { limit: 1, backoff: 1 }, honoured.backoff)
      expect(response.statusCode).toBe(200)
      expect(honoured.delays).toEqual([2_000])
      expect(waits(response)).toEqual([2_000])
      const capped = recordingBackoff()
      yield* get(session, `${server.url}/flaky/ra-cap/1?retry_after=2`, { limit: 1, maxDelay: 500 }, capped.backoff)
      expect(capped.delays).toEqual([500])
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.effect("Retry-After: the default backoff sleeps exactly that long on effect's Clock", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make({ retry: { limit: 1, backoff: 1 } })
      const fiber = yield* Effect.fork(session.get(`${server.url}/flaky/ra-clock/1?retry_after=2`))
      const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      // the 503 is back once the backoff sleeps on the TestClock
      for (let i = 0; i < 500 && (yield* TestClock.sleeps()).length === 0; i++) {
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      }
      expect(server.flakyCount("ra-clock")).toBe(1)
      yield* TestClock.adjust("1999 millis")
      yield* settle
      expect(server.flakyCount("ra-clock")).toBe(1)
      yield* TestClock.adjust("1 millis")
      const response = yield* driveClock(fiber, "1 millis")
      expect(response.statusCode).toBe(200)
      expect(server.flakyCount("ra-clock")).toBe(2)
    }).pipe(Effect.scoped), 20_000)

  it.live("Retry-After as an HTTP-date is the time until that date", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make()
      const { backoff, delays } = recordingBackoff()
      const response = yield* get(session, `${server.url}/flaky/rad/1?retry_after_date=3`, { limit: 1, backoff: 1 }, backoff)
      expect(response.statusCode).toBe(200)
      // The date is at least 3 s ahead when the server sends it, rounded up to a whole second.
      expect(delays[0]).toBeGreaterThan(2_500)
      expect(delays[0]).toBeLessThanOrEqual(4_000)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("a PUT with a body is retried, and the same body arrives; a POST only when the policy names it", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 2, backoff: 10 } })
      const put = yield* session.put(`${server.url}/flaky/put/2`, { data: "the payload" })
      expect(yield* Response.json(put)).toMatchObject({ attempt: 3, data: "the payload", method: "PUT" })
      const post = yield* session.post(`${server.url}/flaky/post/1`, { data: "once" })
      expect(post.statusCode).toBe(503)
      const named = yield* session.post(`${server.url}/flaky/post-named/1`, {
        json: { n: 1 },
        retry: { limit: 1, backoff: 10, methods: ["POST"] }
      })
      expect(yield* Response.json(named)).toMatchObject({ attempt: 2, data: `{"n":1}` })
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("a request whose body cannot be sent again is never retried", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make()
      const request = {
        method: "PUT",
        url: `${server.url}/flaky/once/1`,
        headers: Headers.Headers.from({ "Content-Length": "4" }),
        body: new TextEncoder().encode("data"),
        replayable: false as const
      }
      const { backoff, delays } = recordingBackoff()
      const { response, retries } = yield* Retry.withRetry(
        { limit: 3 },
        request,
        session.transport.send(request, {}),
        backoff
      )
      expect(response.statusCode).toBe(503)
      expect(retries).toEqual([])
      expect(delays).toEqual([])
      expect(server.flakyCount("once")).toBe(1)
      // The same request, replayable, is.
      const again = { ...request, url: `${server.url}/flaky/twice/1`, replayable: undefined }
      const retried = yield* Retry.withRetry({ limit: 3 }, again, session.transport.send(again, {}), backoff)
      expect(retried.response.statusCode).toBe(200)
      expect(server.flakyCount("twice")).toBe(2)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))
})
