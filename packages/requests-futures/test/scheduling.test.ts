/**
 * The scheduler through the Promise API: the same core, adapted (per host, priorities, a bounded queue,
 * deadlines, host stats).
 */
import { CancelledError, DeadlineExceeded, Executor, FuturesSession, QueueFull, Timeout } from "requests-futures"
import { describe, expect, it, vi } from "vitest"
import { useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()

const track = (id: string) => ({ headers: { "X-Track-Id": id } })
const trackIds = (prefix: string) =>
  httpbin.server.requests().map((r) => r.trackId).filter((id) => id?.startsWith(prefix))

describe("scheduling (Promise API)", () => {
  it("priorities: higher first, FIFO within a priority", async () => {
    await using session = new FuturesSession({ maxWorkers: 1 })
    const blocker = session.get(`${httpbin.url}/delay/0.2`, track("fp-blocker"))
    const futures = [
      session.get(`${httpbin.url}/get`, { ...track("fp-low"), priority: -1 }),
      session.get(`${httpbin.url}/get`, { ...track("fp-high"), priority: 3 }),
      session.get(`${httpbin.url}/get`, track("fp-default"))
    ]
    await Promise.all([blocker, ...futures])
    expect(trackIds("fp-")).toEqual(["fp-blocker", "fp-high", "fp-default", "fp-low"])
  })

  it("a host limit on a shared executor: one at a time to that host, its stats per host", async () => {
    await using executor = new Executor({ maxWorkers: 4, perHost: { maxWorkers: 1 } })
    await using session = new FuturesSession({ executor })
    const futures = [0, 1, 2].map((i) => session.get(`${httpbin.url}/delay/0.2`, track(`fh-${i}`)))
    await vi.waitFor(() =>
      expect(executor.hostStats()).toEqual([
        { host: httpbin.url, running: 1, queued: 2, limit: 1, maxWorkers: 1, pausedUntil: undefined, rateTokens: undefined }
      ])
    )
    const started = performance.now()
    await Promise.all(futures)
    expect(performance.now() - started).toBeGreaterThanOrEqual(300)
  })

  it("onFull reject: the request method throws QueueFull; wait: the future is admitted in order", async () => {
    await using rejecting = new FuturesSession({ maxWorkers: 1, maxQueued: 1, onFull: "reject" })
    const running = rejecting.get(`${httpbin.url}/delay/0.2`)
    const queued = rejecting.get(`${httpbin.url}/get`)
    // full once the first holds the worker and the second waits
    await vi.waitFor(() => expect(rejecting.executor.stats()).toMatchObject({ running: 1, queued: 1 }))
    expect(() => rejecting.get(`${httpbin.url}/get`)).toThrow(QueueFull)
    await Promise.all([running, queued])

    await using waiting = new FuturesSession({ maxWorkers: 1, maxQueued: 1, onFull: "wait" })
    const futures = [0, 1, 2, 3].map((i) => waiting.get(`${httpbin.url}/get`, track(`fw-${i}`)))
    expect(futures.map((f) => f.state)).toEqual(["running", "pending", "pending", "pending"])
    expect(waiting.executor.stats()).toMatchObject({ running: 1, queued: 1, waiting: 2 })
    await Promise.all(futures)
    expect(trackIds("fw-")).toEqual(["fw-0", "fw-1", "fw-2", "fw-3"])
  })

  it("onFull dropOldest: CancelledError with reason dropped", async () => {
    await using session = new FuturesSession({ maxWorkers: 1, maxQueued: 1, onFull: "dropOldest" })
    const running = session.get(`${httpbin.url}/delay/0.1`)
    const oldest = session.get(`${httpbin.url}/get`)
    const newest = session.get(`${httpbin.url}/get`)
    const outcome = await oldest.settle()
    expect(!outcome.ok && outcome.error instanceof CancelledError && outcome.error.reason).toBe("dropped")
    expect((await newest).statusCode).toBe(200)
    await running
  })

  it("deadline: DeadlineExceeded is a Timeout, with the phase it was in", async () => {
    await using session = new FuturesSession({ maxWorkers: 1, deadline: 250 })
    const slow = session.get(`${httpbin.url}/delay/2`)
    const queued = session.get(`${httpbin.url}/get`, { deadline: 150 }) // its own, shorter
    const [a, b] = await Promise.all([slow.settle(), queued.settle()])
    expect(!a.ok && a.error).toBeInstanceOf(DeadlineExceeded)
    expect(!a.ok && a.error).toBeInstanceOf(Timeout)
    expect(!a.ok && a.error instanceof DeadlineExceeded && a.error.phase).toBe("running")
    expect(!b.ok && b.error instanceof DeadlineExceeded && b.error.phase).toBe("queued")
  })
})
