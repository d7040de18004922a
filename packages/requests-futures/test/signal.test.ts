import { getEventListeners } from "node:events"
import { CancelledError, Executor, FuturesSession, InvalidOption, Session } from "requests-futures"
import { afterAll, describe, expect, it } from "vitest"
import { useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length
const seen = (trackId: string) => httpbin.server.requestInfo(trackId) !== undefined

/** Aborts once the server has the request with that track id. */
const abortWhenSeen = async (trackId: string, controller: AbortController, reason: unknown) => {
  expect(await httpbin.server.waitForRequest(trackId, 3000)).toBeDefined()
  controller.abort(reason)
}

describe("signal: Session", () => {
  const session = new Session()
  afterAll(() => session.close())

  it("a running request is cancelled: its socket is closed and it rejects with CancelledError", async () => {
    const controller = new AbortController()
    const reason = new Error("user left")
    const pending = session.get(`${httpbin.url}/delay/5`, {
      signal: controller.signal,
      headers: { "X-Track-Id": "facade-session-running" }
    })
    await abortWhenSeen("facade-session-running", controller, reason)
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelledError)
    expect(error).toMatchObject({ reason: "signal", cause: reason, wasRunning: true })
    expect((error as CancelledError).request).toEqual({ method: "GET", url: `${httpbin.url}/delay/5` })
    expect((error as CancelledError).message).toContain("user left")
    expect(await httpbin.server.waitForClientClose("facade-session-running", 2000)).toBe(true)
    expect(listeners(controller.signal)).toBe(0)
  })

  it("an aborted signal rejects at once and nothing is sent", async () => {
    const error = await session.get(`${httpbin.url}/get`, {
      signal: AbortSignal.abort("too late"),
      headers: { "X-Track-Id": "facade-pre-aborted" }
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "CancelledError", reason: "signal", cause: "too late", wasRunning: false })
    await session.get(`${httpbin.url}/get`)
    expect(seen("facade-pre-aborted")).toBe(false)
  })

  it("1,000 requests with one long-lived session signal leave no listener on it", async () => {
    const controller = new AbortController()
    const own = new Session({ signal: controller.signal })
    try {
      const inFlight = own.get(`${httpbin.url}/delay/0.3`, { headers: { "X-Track-Id": "facade-listened" } })
      await httpbin.server.waitForRequest("facade-listened", 3000)
      expect(listeners(controller.signal)).toBe(1)
      await inFlight
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () => own.get(`${httpbin.url}/get`)))
      }
      expect(listeners(controller.signal)).toBe(0)
    } finally {
      await own.close()
    }
  }, 30_000)

  it("a signal that is no AbortSignal is an InvalidOption", async () => {
    const error = await session.get(`${httpbin.url}/get`, { signal: "stop" as unknown as AbortSignal })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidOption)
    expect(() => new Session({ signal: 1 as unknown as AbortSignal })).toThrow(InvalidOption)
  })
})

describe("signal: FuturesSession", () => {
  it("a queued future is never sent; a running one has its socket closed (the session's signal)", async () => {
    const controller = new AbortController()
    const session = new FuturesSession({ maxWorkers: 1, signal: controller.signal })
    try {
      const running = session.get(`${httpbin.url}/delay/5`, { headers: { "X-Track-Id": "facade-future-running" } })
      const queued = session.get(`${httpbin.url}/get`, { headers: { "X-Track-Id": "facade-future-queued" } })
      expect(queued.state).toBe("pending")
      await abortWhenSeen("facade-future-running", controller, "closing")
      const [a, b] = await Promise.all([running.settle(), queued.settle()])
      expect(a).toMatchObject({ ok: false, error: { reason: "signal", cause: "closing", wasRunning: true } })
      expect(b).toMatchObject({ ok: false, error: { reason: "signal", cause: "closing", wasRunning: false } })
      expect(running.cancelled() && queued.cancelled()).toBe(true)
      expect(await httpbin.server.waitForClientClose("facade-future-running", 2000)).toBe(true)
      expect(seen("facade-future-queued")).toBe(false)
      expect(listeners(controller.signal)).toBe(0)
    } finally {
      await session.close()
    }
  })

  it("a request's own signal cancels only that future", async () => {
    const session = new FuturesSession({ maxWorkers: 1 })
    try {
      const controller = new AbortController()
      const first = session.get(`${httpbin.url}/delay/0.2`)
      const queued = session.get(`${httpbin.url}/get`, {
        signal: controller.signal,
        headers: { "X-Track-Id": "facade-own-signal" }
      })
      const after = session.get(`${httpbin.url}/get`)
      controller.abort()
      const error = await queued.result().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CancelledError)
      expect((error as CancelledError).cause).toBeInstanceOf(DOMException)
      expect((await first).statusCode).toBe(200)
      expect((await after).statusCode).toBe(200)
      expect(seen("facade-own-signal")).toBe(false)
    } finally {
      await session.close()
    }
  })
})

describe("managed blocking", () => {
  it("a submitted function awaiting a request on a session sharing its executor (maxWorkers: 1) does not hang", async () => {
    const executor = new Executor({ maxWorkers: 1 })
    const session = new FuturesSession({ executor })
    try {
      const outer = executor.submit(async () => {
        const inner = session.get(`${httpbin.url}/get`)
        expect(inner.state).toBe("pending")
        const response = await inner
        return response.statusCode
      })
      expect(await outer.result(5_000)).toBe(200)
      expect(executor.stats()).toMatchObject({ lent: 0, running: 0, completed: 2 })
      // the bound holds again once the wait is over
      const futures = [0, 1].map(() => session.get(`${httpbin.url}/delay/0.2`))
      expect(executor.stats().running).toBe(1)
      await Promise.all(futures)
    } finally {
      await session.close()
      await executor.shutdown()
    }
  })

  it("nested submissions each lend their slot while they wait", async () => {
    const executor = new Executor({ maxWorkers: 1 })
    try {
      const outer = executor.submit(async () => {
        const middle = executor.submit(async () => 1 + await executor.submit(() => 1))
        return 1 + await middle.result()
      })
      expect(await outer.result(5_000)).toBe(3)
      expect(executor.stats().lent).toBe(0)
    } finally {
      await executor.shutdown()
    }
  })
})
