/**
 * One scheduler: per-host limits and fairness, rate limits, priorities, a bounded queue, adaptive
 * per-host concurrency, retries that give their slot back and one deadline — over real sockets to
 * two origins of one httpbin (127.0.0.1 and localhost act as two hosts).
 */
import { describe, expect, it } from "@effect/vitest"
import { Executor, type Future, FuturesSession } from "@requests-futures/core"
import { Httpbin, type HttpbinServer } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { eventually } from "./helpers.js"

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

/** The arrival times (server side) of the requests whose track id starts with `prefix`. */
const arrivals = (server: HttpbinServer, prefix: string) =>
  server.requests().filter((r) => r.trackId?.startsWith(prefix)).map((r) => r.receivedAt)

/** The most requests that arrived within `windowMs` of each other: how many ran at once, for requests longer than that. */
const mostAtOnce = (times: ReadonlyArray<number>, windowMs: number) =>
  Math.max(0, ...times.map((at) => times.filter((other) => other <= at && other > at - windowMs).length))

const track = (id: string) => ({ headers: { "X-Track-Id": id } })

describe("per host", () => {
  it.scopedLive("a host's bound holds while another host runs at the executor's full concurrency, and the slow host holds nobody up", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const slow = `http://localhost:${server.port}`
      const fast = `http://127.0.0.1:${server.port}`
      const session = yield* FuturesSession.make({
        maxWorkers: 4,
        perHost: (origin) => (origin === slow ? { maxWorkers: 1 } : undefined)
      })
      const started = performance.now()
      // The slow host's requests are submitted first: in one FIFO queue they would hold the others up.
      const slowOnes = yield* Effect.forEach([0, 1, 2, 3], (i) => session.get(`${slow}/delay/0.4`, track(`slow-${i}`)))
      const fastOnes = yield* Effect.forEach([0, 1, 2, 3, 4, 5], (i) => session.get(`${fast}/delay/0.4`, track(`fast-${i}`)))
      yield* Effect.forEach(fastOnes, (f) => f.result())
      const fastDone = performance.now() - started
      yield* Effect.forEach(slowOnes, (f) => f.result())
      const slowDone = performance.now() - started

      expect(mostAtOnce(arrivals(server, "slow-"), 350)).toBe(1)
      expect(mostAtOnce(arrivals(server, "fast-"), 350)).toBe(3) // the 4th slot is the slow host's
      expect(slowDone).toBeGreaterThanOrEqual(1_550) // four rounds of 1
      expect(fastDone).toBeLessThan(slowDone - 500) // two rounds of 3, not behind the slow host's four
      const hosts = session.executor.unsafeHostStats()
      expect(hosts.find((h) => h.host === slow)).toMatchObject({ running: 0, queued: 0, limit: 1, maxWorkers: 1 })
    }), 20_000)

  it.scopedLive("a rate of 10 per second: 30 requests take about 2 s, never more than 10 in any second", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({
        maxWorkers: 30,
        perHost: { rate: { limit: 10, interval: "1 second" } }
      })
      const started = performance.now()
      const futures = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => session.get(`${server.url}/get`, track(`rate-${i}`))
      )
      yield* Effect.forEach(futures, (f) => f.result())
      const elapsed = performance.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(1_900)
      expect(elapsed).toBeLessThan(4_000)
      // When the scheduler started each (the server's arrival times also carry connection set-up).
      const starts = futures.map((f) => Option.getOrThrow(f.unsafeTimings().startedAt))
      expect(mostAtOnce(starts, 999)).toBeLessThanOrEqual(10)
      expect(arrivals(server, "rate-")).toHaveLength(30)
    }), 20_000)

  it.scopedLive("priorities: higher first, FIFO within a priority, as the server sees them arrive", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1 })
      const blocker = yield* session.get(`${server.url}/delay/0.2`, track("p-blocker"))
      const order = [["low-1", 0], ["high-1", 5], ["low-2", 0], ["mid-1", 1], ["high-2", 5]] as const
      const futures = yield* Effect.forEach(order, ([id, priority]) =>
        session.get(`${server.url}/get`, { ...track(`p-${id}`), priority }))
      yield* blocker.result()
      yield* Effect.forEach(futures, (f) => f.result())
      expect(server.requests().filter((r) => r.trackId?.startsWith("p-")).map((r) => r.trackId)).toEqual([
        "p-blocker",
        "p-high-1",
        "p-high-2",
        "p-mid-1",
        "p-low-1",
        "p-low-2"
      ])
    }), 20_000)
})

describe("a bounded queue", () => {
  it.scopedLive("reject: QueueFull at once; a cancelled queued future frees its place", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1, maxQueued: 2, onFull: "reject" })
      const running = yield* session.get(`${server.url}/delay/0.3`)
      const queued = yield* Effect.forEach([0, 1], () => session.get(`${server.url}/get`))
      // the queue is full once the first holds the worker and the other two wait
      expect(yield* eventually(() => session.executor.unsafeStats().running === 1)).toBe(true)
      const full = yield* Effect.flip(session.get(`${server.url}/get`))
      expect(full._tag).toBe("QueueFull")
      expect(full.message).toContain("maxQueued: 2")
      expect(yield* queued[0]!.cancel).toBe(true)
      const admitted = yield* session.get(`${server.url}/get`)
      expect((yield* admitted.result()).statusCode).toBe(200)
      expect((yield* running.result()).statusCode).toBe(200)
    }), 20_000)

  it.scopedLive("dropOldest: the oldest queued future is cancelled (reason dropped) and never sent", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1, maxQueued: 2, onFull: "dropOldest" })
      const running = yield* session.get(`${server.url}/delay/0.2`, track("d-running"))
      const oldest = yield* session.get(`${server.url}/get`, track("d-oldest"))
      const second = yield* session.get(`${server.url}/get`, track("d-second"))
      const newest = yield* session.get(`${server.url}/get`, track("d-newest"))
      const dropped = yield* Effect.flip(oldest.result())
      expect(dropped._tag).toBe("CancelledError")
      expect(dropped._tag === "CancelledError" && dropped.reason).toBe("dropped")
      yield* Effect.forEach([running, second, newest], (f) => f.result())
      expect(server.requests().map((r) => r.trackId)).toEqual(["d-running", "d-second", "d-newest"])
    }), 20_000)

  it.scopedLive("wait: request suspends until there is room (backpressure), and futures are admitted in order", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1, maxQueued: 1, onFull: "wait" })
      const running = yield* session.get(`${server.url}/delay/1`, track("w-0"))
      const queued = yield* session.get(`${server.url}/get`, track("w-1"))
      const submitting = yield* Effect.fork(session.get(`${server.url}/get`, track("w-2")))
      expect(yield* eventually(() => session.executor.unsafeStats().waiting === 1)).toBe(true)
      expect(Option.isNone(yield* Fiber.poll(submitting))).toBe(true) // still waiting for room
      expect(yield* session.executor.stats).toMatchObject({ running: 1, queued: 1, waiting: 1 })
      const third = yield* Fiber.join(submitting)
      expect(yield* running.done).toBe(true) // room came when the first finished and the second started
      yield* Effect.forEach([queued, third], (f) => f.result())
      expect(server.requests().map((r) => r.trackId)).toEqual(["w-0", "w-1", "w-2"])
    }), 20_000)
})

describe("adaptive per host", () => {
  it.scopedLive("a 429 with Retry-After: 1 pauses the host at least 1 s and halves its limit; successes grow it back; nothing lost or sent twice", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 8, perHost: { maxWorkers: 4 }, adaptive: true })
      const host = () => session.executor.unsafeHostStats().find((h) => h.host === server.url)!
      const throttled = yield* session.get(`${server.url}/status/429?retry_after=1`, track("a-429"))
      expect((yield* throttled.result()).statusCode).toBe(429)
      const answeredAt = Date.now()
      expect(host().limit).toBe(2)
      const pausedUntil = host().pausedUntil!
      expect(pausedUntil).toBeGreaterThan(answeredAt + 500) // paused about a second from the 429
      const after = yield* Effect.forEach([0, 1, 2, 3, 4, 5, 6, 7], (i) => session.get(`${server.url}/get`, track(`a-${i}`)))
      yield* Effect.forEach(after, (f) => f.result())
      const times = arrivals(server, "a-").slice(1)
      expect(Math.min(...times)).toBeGreaterThanOrEqual(pausedUntil - 5)
      expect(host().limit).toBe(4) // 2 successes → 3, 3 more → 4
      const seen = server.requests().map((r) => r.trackId)
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen).toHaveLength(9)
    }), 20_000)
})

describe("adaptive per host, with retries", () => {
  it.scopedLive("a throttled attempt that is retried lowers the host's limit and pauses it while it backs off", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 8, perHost: { maxWorkers: 4 }, adaptive: true })
      const future = yield* session.get(`${server.url}/flaky/adaptive/1?status=429&retry_after=1`, {
        ...track("ar-flaky"),
        retry: 1
      })
      yield* Effect.promise(() => server.waitForRequest("ar-flaky", 2000))
      const hostStats = () => session.executor.unsafeHostStats().find((h) => h.host === server.url)
      // the 429 has come back once the attempt gave its slot up to back off
      expect(yield* eventually(() => hostStats()?.running === 0 && hostStats()?.pausedUntil !== undefined)).toBe(true)
      const host = hostStats()!
      expect(host).toMatchObject({ limit: 2, running: 0 })
      expect(host.pausedUntil).toBeDefined()
      const response = yield* future.result()
      expect(response.statusCode).toBe(200)
      expect(response.retries).toEqual([{ status: 429, waitedMs: 1000 }])
    }), 20_000)
})

describe("retries that give their slot back", () => {
  it.scopedLive("a backing-off request holds no slot: another runs meanwhile on maxWorkers 1, then it comes back", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1 })
      const flaky = yield* session.get(`${server.url}/flaky/slot/1?retry_after=1`, { ...track("r-flaky"), retry: 2 })
      yield* Effect.promise(() => server.waitForRequest("r-flaky", 2000))
      const other = yield* session.get(`${server.url}/get`, track("r-other"))
      expect((yield* other.result()).statusCode).toBe(200)
      expect(yield* session.executor.stats).toMatchObject({ running: 0, backingOff: 1 })
      expect(yield* flaky.running).toBe(false)
      const response = yield* flaky.result()
      expect(response.statusCode).toBe(200)
      expect(response.retries).toHaveLength(1)
      expect(server.requests().map((r) => r.trackId)).toEqual(["r-flaky", "r-other", "r-flaky"])
      expect(yield* session.executor.stats).toMatchObject({ running: 0, queued: 0, backingOff: 0, completed: 2 })
    }), 20_000)
})

describe("one deadline", () => {
  it.scopedLive("counts the time queued: DeadlineExceeded (a Timeout) and the request is never sent", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ maxWorkers: 1 })
      const blocker = yield* session.get(`${server.url}/delay/1`, track("dl-blocker"))
      const started = performance.now()
      const late = yield* session.get(`${server.url}/get`, { ...track("dl-late"), deadline: 300 })
      const error = yield* Effect.flip(late.result())
      expect(performance.now() - started).toBeLessThan(900)
      expect(error).toMatchObject({ _tag: "DeadlineExceeded", deadlineMs: 300, phase: "queued" })
      expect(error.message).toContain("not done within its deadline of 300 ms (still queued)")
      yield* blocker.result()
      expect(server.requestInfo("dl-late")).toBeUndefined()
      expect(yield* session.executor.stats).toMatchObject({ running: 0, queued: 0, failed: 1, completed: 1 })
    }), 20_000)

  it.scopedLive("covers the request in flight: its socket is closed; the session's deadline applies to every request", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ deadline: 300 })
      const slow = yield* session.get(`${server.url}/delay/3`, track("dl-slow"))
      const error = yield* Effect.flip(slow.result())
      expect(error).toMatchObject({ _tag: "DeadlineExceeded", phase: "running" })
      expect(yield* Effect.promise(() => server.waitForClientClose("dl-slow", 2000))).toBe(true)
      const quick = yield* session.get(`${server.url}/get`, { deadline: 5_000 })
      expect((yield* quick.result()).statusCode).toBe(200)
    }), 20_000)
})

describe("a slot kept past the outcome", () => {
  it.scoped("retainSlot: the future is done but its slot stays taken until released", () =>
    Effect.gen(function*() {
      const executor = yield* Executor.make({ maxWorkers: 1 })
      let release: (() => void) | undefined
      const first = yield* executor.submit((info: Executor.WorkInfo) => {
        release = info.retainSlot()
        return Effect.succeed("body not read yet")
      })
      const second = yield* executor.submit(Effect.succeed("next"))
      expect(yield* first.result()).toBe("body not read yet")
      yield* Effect.yieldNow()
      expect(yield* executor.stats).toMatchObject({ running: 0, retained: 1, queued: 1 })
      expect(yield* second.done).toBe(false)
      release!()
      release!() // idempotent
      expect(yield* second.result()).toBe("next")
      expect(yield* executor.stats).toMatchObject({ running: 0, retained: 0, queued: 0 })
    }))
})

describe("the scheduler, by property", () => {
  const hosts = ["a", "b", "c", undefined] as const
  const item = FastCheck.record({
    host: FastCheck.constantFrom(...hosts),
    priority: FastCheck.integer({ min: 0, max: 2 }),
    ms: FastCheck.integer({ min: 0, max: 3 }),
    fails: FastCheck.boolean(),
    cancel: FastCheck.constantFrom("no", "at once", "later")
  })

  it.live.prop(
    "no bound is ever exceeded, every future settles once, the counters end at zero",
    {
      maxWorkers: FastCheck.integer({ min: 1, max: 4 }),
      limits: FastCheck.record({
        a: FastCheck.integer({ min: 1, max: 3 }),
        b: FastCheck.integer({ min: 1, max: 3 })
      }),
      maxQueued: FastCheck.option(FastCheck.integer({ min: 1, max: 8 }), { nil: undefined }),
      onFull: FastCheck.constantFrom<Executor.OnFull>("reject", "dropOldest"),
      items: FastCheck.array(item, { minLength: 1, maxLength: 30 })
    },
    ({ items, limits, maxQueued, maxWorkers, onFull }) =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({
          maxWorkers,
          perHost: (host) => host === "a" ? { maxWorkers: limits.a } : host === "b" ? { maxWorkers: limits.b } : undefined,
          maxQueued,
          onFull
        })
        let running = 0
        const perHost = new Map<string, number>()
        let violations = 0
        const settled = new Map<number, number>()
        const futures: Array<Future.Future<number, string>> = []
        for (const [i, spec] of items.entries()) {
          const key = spec.host
          const work = Effect.gen(function*() {
            running++
            const now = (perHost.get(key ?? "") ?? 0) + 1
            perHost.set(key ?? "", now)
            const limit = key === "a" ? limits.a : key === "b" ? limits.b : Infinity
            if (running > maxWorkers || now > limit) violations++
            yield* spec.ms === 0 ? Effect.yieldNow() : sleep(spec.ms)
            if (spec.fails) return yield* Effect.fail("boom")
            return i
          }).pipe(Effect.ensuring(Effect.sync(() => {
            running--
            perHost.set(key ?? "", perHost.get(key ?? "")! - 1)
          })))
          const submitted = yield* Effect.either(executor.submit(work, { key, priority: spec.priority }))
          if (submitted._tag === "Left") {
            expect(submitted.left._tag).toBe("QueueFull")
            continue
          }
          const future = submitted.right
          future.unsafeAddObserver(() => settled.set(future.id, (settled.get(future.id) ?? 0) + 1))
          futures.push(future)
          if (spec.cancel === "at once") future.unsafeCancel()
          if (spec.cancel === "later") setTimeout(() => future.unsafeCancel(), spec.ms + 1)
        }
        const exits = yield* Effect.forEach(futures, (f) => f.await)
        yield* sleep(5) // the late cancels, on settled futures: no effect
        expect(violations).toBe(0)
        expect(exits.every((exit) => Exit.isExit(exit))).toBe(true)
        expect([...settled.values()].every((n) => n === 1)).toBe(true)
        expect(settled.size).toBe(futures.length)
        const stats = yield* executor.stats
        expect(stats).toMatchObject({ running: 0, queued: 0, waiting: 0, backingOff: 0 })
        expect(stats.completed + stats.failed + stats.cancelled).toBe(stats.submitted)
        expect(executor.unsafeHostStats().every((h) => h.running === 0 && h.queued === 0)).toBe(true)
      }).pipe(Effect.scoped),
    { timeout: 60_000, fastCheck: { numRuns: 40 } }
  )
})
