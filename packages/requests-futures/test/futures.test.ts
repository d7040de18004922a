import {
  asCompleted,
  asSettled,
  CancelledError,
  ConnectionError,
  Executor,
  ExecutorShutdown,
  Future,
  FuturesSession,
  HookError,
  HTTPError,
  Response,
  type ResponseFuture,
  Session,
  TimeoutError,
  wait
} from "requests-futures"
import { afterAll, describe, expect, it, vi } from "vitest"
import { type Echo, freePort, sleep, useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const session = new FuturesSession()
afterAll(() => session.close())

const trackIds = () => new Set(httpbin.server.requests().map((r) => r.trackId))

describe("FuturesSession", () => {
  it("runs the seed: futures start at once, result() waits for the first", async () => {
    const futureOne = session.get(`${httpbin.url}/get`)
    const futureTwo = session.get(`${httpbin.url}/get?foo=bar`)
    expect(futureOne).toBeInstanceOf(Future)
    const responseOne = await futureOne.result()
    expect(responseOne.statusCode).toBe(200)
    expect(responseOne.content.byteLength).toBeGreaterThan(0)
    expect((await futureTwo).json<Echo>().args).toEqual({ foo: "bar" })
  })

  it("every method returns a future of a Response, with the core's options", async () => {
    const futures = [
      session.get(`${httpbin.url}/get`, { params: { q: "1" } }),
      session.head(`${httpbin.url}/get`),
      session.options(`${httpbin.url}/get`),
      session.delete(`${httpbin.url}/delete`),
      session.post(`${httpbin.url}/post`, { json: { a: 1 } }),
      session.put(`${httpbin.url}/put`, { data: { f: "v" } }),
      session.patch(`${httpbin.url}/patch`, { files: { f: "content" } }),
      session.request("GET", `${httpbin.url}/anything`, { headers: { "X-One": "1" } })
    ]
    const responses = await Promise.all(futures)
    expect(responses.every((r) => r instanceof Response && r.statusCode === 200)).toBe(true)
    expect(responses[4]!.json<Echo>().json).toEqual({ a: 1 })
    expect(responses[5]!.json<Echo>().form).toEqual({ f: "v" })
    expect(responses[6]!.json<Echo>().files).toEqual({ f: "content" })
    expect(responses[7]!.json<Echo>().headers["X-One"]).toBe("1")
  })

  it("runs at most maxWorkers (default 2) at once; the others are queued, in order", async () => {
    expect(session.executor.maxWorkers).toBe(2)
    const futures = [0, 1, 2].map((i) => session.get(`${httpbin.url}/delay/0.2?i=${i}`))
    await vi.waitFor(() => expect(futures.map((f) => f.state)).toEqual(["running", "running", "pending"]))
    expect(futures[2]!.running()).toBe(false)
    expect(session.executor.stats()).toMatchObject({ running: 2, queued: 1 })
    const third = await futures[2]!
    expect(third.timings.queued).toBeGreaterThan(150)
    expect(futures.every((f) => f.done() && !f.cancelled())).toBe(true)
  })

  it("headers and cookies of the session persist across its futures, live", async () => {
    await using s = new FuturesSession({ headers: { "X-A": "a" } })
    s.headers.set("X-Token", "1")
    await s.get(`${httpbin.url}/cookies/set/k/v`)
    const echo = (await s.get(`${httpbin.url}/headers`)).json<Echo>()
    expect(echo.headers).toMatchObject({ "X-A": "a", "X-Token": "1", Cookie: "k=v" })
    expect(s.cookies.toRecord()).toEqual({ k: "v" })
  })

  it("wraps a Session: its headers, cookies and auth are used, live; given settings are merged over them", async () => {
    await using plain = new Session({ auth: ["ada", "secret"], headers: { "X-From": "session" } })
    await using futures = new FuturesSession({ session: plain })
    plain.headers.set("X-Later", "1")
    const echo = (await futures.get(`${httpbin.url}/headers`)).json<Echo>()
    expect(echo.headers).toMatchObject({ "X-From": "session", "X-Later": "1" })
    expect(echo.headers["Authorization"]).toMatch(/^Basic /)
    expect((await futures.get(`${httpbin.url}/basic-auth/ada/secret`)).statusCode).toBe(200)
    await using merged = new FuturesSession({ session: plain, headers: { "X-Own": "own" } })
    await merged.get(`${httpbin.url}/cookies/set/shared/jar`)
    expect(plain.cookies.get("shared")).toBe("jar")
    const mergedEcho = (await merged.get(`${httpbin.url}/headers`)).json<Echo>()
    expect(mergedEcho.headers).toMatchObject({ "X-From": "session", "X-Own": "own" })
    await futures.close()
    await merged.close()
    expect((await plain.get(`${httpbin.url}/get`)).statusCode).toBe(200)
  })
})

describe("Future", () => {
  it("result(timeoutMs) rejects with TimeoutError while the request goes on", async () => {
    const future = session.get(`${httpbin.url}/delay/0.2`)
    await expect(future.result(20)).rejects.toBeInstanceOf(TimeoutError)
    expect(future.done()).toBe(false)
    expect((await future.result(2000)).statusCode).toBe(200)
  })

  it("exception() is null on success (Python's None), the error on failure; settle() never rejects", async () => {
    expect(await session.get(`${httpbin.url}/get`).exception()).toBeNull()
    const failing = session.get(`http://127.0.0.1:${await freePort()}/`)
    const error = await failing.exception()
    expect(error).toBeInstanceOf(ConnectionError)
    const outcome = await failing.settle()
    expect(outcome).toEqual({ ok: false, error })
    await expect(failing.result()).rejects.toBe(error)
  })

  it("cancel() of a queued future: it never runs and never reaches the server", async () => {
    await using s = new FuturesSession({ maxWorkers: 1 })
    const first = s.get(`${httpbin.url}/delay/0.2`)
    const queued = s.get(`${httpbin.url}/get`, { headers: { "X-Track-Id": "queued-cancel" } })
    expect(queued.state).toBe("pending")
    expect(queued.cancel()).toBe(true)
    expect([queued.cancelled(), queued.done(), queued.running()]).toEqual([true, true, false])
    const outcome = await queued.settle()
    expect(!outcome.ok && outcome.error instanceof CancelledError && !outcome.error.wasRunning).toBe(true)
    await expect(queued.exception()).rejects.toBeInstanceOf(CancelledError)
    await first
    await s.get(`${httpbin.url}/get`)
    expect(trackIds().has("queued-cancel")).toBe(false)
  })

  it("cancel() of a running future closes its socket and frees the worker at once", async () => {
    await using s = new FuturesSession({ maxWorkers: 1 })
    const running = s.get(`${httpbin.url}/delay/3`, { headers: { "X-Track-Id": "running-cancel" } })
    const next = s.get(`${httpbin.url}/get`)
    await httpbin.server.waitForRequest("running-cancel", 2000)
    expect(running.running()).toBe(true)
    expect(running.cancel()).toBe(true)
    expect(running.state).toBe("cancelled")
    expect(await httpbin.server.waitForClientClose("running-cancel", 2000)).toBe(true)
    const error = await running.result().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as CancelledError).wasRunning).toBe(true)
    expect((error as CancelledError).request?.url).toBe(`${httpbin.url}/delay/3`)
    expect((await next).statusCode).toBe(200)
  })

  it("cancel() of a finished future does nothing and answers false", async () => {
    const future = session.get(`${httpbin.url}/get`)
    await future
    expect(future.cancel()).toBe(false)
    expect(future.cancelled()).toBe(false)
  })

  it("addDoneCallback runs once done, or at once when already done, in order", async () => {
    const calls: Array<string> = []
    const future = session.get(`${httpbin.url}/get`)
    future.addDoneCallback((f) => calls.push(`first ${f === future} ${f.done()}`))
    future.addDoneCallback(() => calls.push("second"))
    expect(calls).toEqual([])
    await future
    expect(calls).toEqual(["first true true", "second"])
    future.addDoneCallback(() => calls.push("late"))
    expect(calls).toEqual(["first true true", "second", "late"])
  })

  it("a done-callback that throws or rejects is reported, never crashes, and the others still run", async () => {
    const reported: Array<unknown> = []
    await using s = new FuturesSession({ onError: (error) => reported.push(error) })
    const future = s.get(`${httpbin.url}/get`)
    const boom = new Error("callback boom")
    let after = false
    future.addDoneCallback(() => {
      throw boom
    })
    future.addDoneCallback(() => Promise.reject(new Error("async boom")))
    future.addDoneCallback(() => {
      after = true
    })
    expect((await future).statusCode).toBe(200)
    await vi.waitFor(() => expect(after).toBe(true))
    expect(reported).toEqual([boom, new Error("async boom")])
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => undefined)
    try {
      const plain = session.get(`${httpbin.url}/get`)
      plain.addDoneCallback(() => {
        throw boom
      })
      await plain
      expect(consoleError).toHaveBeenCalledWith(expect.stringContaining("done-callback threw"), boom)
    } finally {
      consoleError.mockRestore()
    }
  })

  it("a future that fails and is never awaited causes no unhandledRejection", async () => {
    const unhandled: Array<unknown> = []
    const listener = (reason: unknown) => unhandled.push(reason)
    process.on("unhandledRejection", listener)
    try {
      const port = await freePort()
      const futures = [session.get(`http://127.0.0.1:${port}/`), session.get("nota url")]
      const cancelled = session.get(`${httpbin.url}/delay/1`)
      cancelled.cancel()
      await wait(futures)
      expect(futures.every((f) => f.done())).toBe(true)
      await sleep(50)
      expect(unhandled).toEqual([])
    } finally {
      process.off("unhandledRejection", listener)
    }
  })
})

describe("asCompleted, asSettled and wait", () => {
  it("asCompleted yields the futures themselves as they complete, those already done first", async () => {
    await using s = new FuturesSession({ maxWorkers: 3 })
    const done = s.get(`${httpbin.url}/get?done`)
    await done
    const slow = s.get(`${httpbin.url}/delay/0.3`)
    const fast = s.get(`${httpbin.url}/delay/0.05`)
    const middle = s.get(`${httpbin.url}/delay/0.15`)
    const urls = new Map([[slow, "slow"], [fast, "fast"], [middle, "middle"], [done, "done"]])
    const order: Array<string | undefined> = []
    for await (const future of asCompleted([slow, fast, done, middle, fast])) {
      expect(future).toBeInstanceOf(Future)
      expect(future.done()).toBe(true)
      expect((await future.result()).statusCode).toBe(200)
      order.push(urls.get(future as ResponseFuture))
    }
    expect(order).toEqual(["done", "fast", "middle", "slow"])
  })

  it("asCompleted hands out failed and cancelled futures too: exception() and result() tell them apart", async () => {
    const port = await freePort()
    const failing = session.get(`http://127.0.0.1:${port}/`)
    const cancelled = session.get(`${httpbin.url}/delay/1`)
    cancelled.cancel()
    const tags: Array<string> = []
    for await (const future of asCompleted([failing, cancelled])) {
      if (future.cancelled()) {
        await expect(future.result()).rejects.toBeInstanceOf(CancelledError)
        tags.push("cancelled")
      } else {
        tags.push((await future.exception())?._tag ?? "ok")
      }
    }
    expect(tags.sort()).toEqual(["ConnectionError", "cancelled"])
  })

  it("asSettled gives each future's outcome, typed; a cancelled one is a CancelledError", async () => {
    const port = await freePort()
    const ok = session.get(`${httpbin.url}/get`)
    const failing = session.get(`http://127.0.0.1:${port}/`)
    const cancelled = session.get(`${httpbin.url}/delay/1`)
    cancelled.cancel()
    const outcomes: Array<string> = []
    for await (const settled of asSettled([ok, failing, cancelled])) {
      expect([ok, failing, cancelled]).toContain(settled.future)
      outcomes.push(settled.ok ? String(settled.value.statusCode) : settled.error._tag)
    }
    expect(outcomes.sort()).toEqual(["200", "CancelledError", "ConnectionError"])
  })

  it("asCompleted and asSettled with { timeout } (or a bare number) throw TimeoutError; the work goes on", async () => {
    const slow = session.get(`${httpbin.url}/delay/0.3`)
    const fast = session.get(`${httpbin.url}/get`)
    await fast
    const seen: Array<unknown> = []
    const error = await (async () => {
      for await (const future of asCompleted([fast, slow], { timeout: 50 })) seen.push(future)
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ timeoutMs: 50, unfinished: 1 })
    expect(seen).toEqual([fast])
    const settledError = await (async () => {
      for await (const _ of asSettled([slow], 20)) expect.unreachable()
    })().catch((e: unknown) => e)
    expect(settledError).toBeInstanceOf(TimeoutError)
    expect((settledError as TimeoutError).message).toContain("asSettled")
    expect((await slow).statusCode).toBe(200)
  })

  it("wait: ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION and a timeout", async () => {
    await using s = new FuturesSession({ maxWorkers: 4 })
    const fast = s.get(`${httpbin.url}/delay/0.05`)
    const slow = s.get(`${httpbin.url}/delay/0.3`)
    const first = await wait([fast, slow], { returnWhen: "FIRST_COMPLETED" })
    expect([first.done, first.notDone]).toEqual([new Set([fast]), new Set([slow])])
    const failing = s.get(`http://127.0.0.1:${await freePort()}/`)
    const exception = await wait([slow, failing], { returnWhen: "FIRST_EXCEPTION" })
    expect(exception.done).toEqual(new Set([failing]))
    const timedOut = await wait([slow], { timeout: 10 })
    expect(timedOut.notDone).toEqual(new Set([slow]))
    const all = await wait([fast, slow, failing])
    expect([all.done.size, all.notDone.size]).toEqual([3, 0])
  })
})

describe("background callback and hooks", () => {
  it("the background callback runs in the worker before the future resolves; its data rides on the response", async () => {
    await using s = new FuturesSession({ maxWorkers: 1 })
    let seenSession: unknown
    const future = s.get(`${httpbin.url}/get?x=1`, {
      backgroundCallback: async (sess, resp) => {
        seenSession = sess
        await sleep(150)
        resp.data = resp.json()
      }
    })
    const next = s.get(`${httpbin.url}/get`)
    const response = await future
    expect(seenSession).toBe(s)
    expect((response.data as Echo).args).toEqual({ x: "1" })
    // the callback held the only worker: the next request waited for it
    expect((await next).timings.queued).toBeGreaterThan(120)
  })

  it("hooks run in order (session, request), then the callback; a returned Response replaces the result", async () => {
    const order: Array<string> = []
    await using s = new FuturesSession({ hooks: { response: () => void order.push("session hook") } })
    const other = await s.get(`${httpbin.url}/status/202`)
    order.length = 0
    const response = await s.get(`${httpbin.url}/get`, {
      hooks: { response: [() => void order.push("request hook")] },
      backgroundCallback: () => {
        order.push("callback")
        return other
      }
    })
    expect(order).toEqual(["session hook", "request hook", "callback"])
    expect(response).toBe(other)
  })

  it("a callback that throws or rejects fails the future with HookError carrying the cause", async () => {
    const boom = new Error("parse failed")
    const thrown = await session.get(`${httpbin.url}/get`, {
      backgroundCallback: () => {
        throw boom
      }
    }).exception()
    expect(thrown).toBeInstanceOf(HookError)
    expect((thrown as HookError).hook).toBe("background callback")
    expect((thrown as HookError).cause).toBe(boom)
    const rejected = await session.get(`${httpbin.url}/get`, { backgroundCallback: () => Promise.reject(boom) }).exception()
    expect((rejected as HookError).cause).toBe(boom)
    const raised = await session.get(`${httpbin.url}/status/500`, { hooks: { response: (r) => void r.raiseForStatus() } })
      .exception()
    expect(raised).toBeInstanceOf(HTTPError)
  })
})

describe("Executor", () => {
  it("is shared: its bound holds across sessions; close() leaves it running", async () => {
    const executor = new Executor({ maxWorkers: 1 })
    const a = new FuturesSession({ executor })
    const b = new FuturesSession({ executor })
    expect(a.executor).toBe(executor)
    const first = a.get(`${httpbin.url}/delay/0.1`)
    const second = b.get(`${httpbin.url}/get`)
    await vi.waitFor(() => expect([first.state, second.state]).toEqual(["running", "pending"]))
    expect((await second).timings.queued).toBeGreaterThan(50)
    await a.close()
    expect(executor.stats().isShutdown).toBe(false)
    expect((await b.get(`${httpbin.url}/get`)).statusCode).toBe(200)
    expect(() => a.get(`${httpbin.url}/get`)).toThrow(ExecutorShutdown)
    await b.close()
    await executor.shutdown()
    expect(executor.stats()).toMatchObject({ isShutdown: true, completed: 3, running: 0, queued: 0 })
  })

  it("submit runs functions: values, promises, throws as they are; an AbortSignal on cancel", async () => {
    await using executor = new Executor({ maxWorkers: 2 })
    expect(await executor.submit(() => 6 * 7)).toBe(42)
    expect(await executor.submit(async () => "async")).toBe("async")
    const thrown = { not: "an Error" }
    expect(await executor.submit(() => {
      throw thrown
    }).exception()).toBe(thrown)
    let aborted = false
    const endless = executor.submit((signal) =>
      new Promise<never>(() => {
        signal.addEventListener("abort", () => {
          aborted = true
        })
      })
    )
    // cancelled once it runs, so that its signal is the one aborted
    await vi.waitFor(() => expect(endless.state).toBe("running"))
    expect(endless.cancel()).toBe(true)
    await vi.waitFor(() => expect(aborted).toBe(true))
    await expect(endless).rejects.toBeInstanceOf(CancelledError)
  })

  it("shutdown waits for the accepted work, cancelFutures drops the queue, then submit throws", async () => {
    const executor = new Executor({ maxWorkers: 1 })
    const running = executor.submit(() => sleep(50).then(() => "ran"))
    const queued = executor.submit(() => "never")
    await executor.shutdown({ cancelFutures: true })
    expect(await running).toBe("ran")
    expect(queued.cancelled()).toBe(true)
    expect(() => executor.submit(() => 1)).toThrow(ExecutorShutdown)
  })
})

describe("Executor.map", () => {
  it("resolves the results in input order, with at most maxWorkers in flight", async () => {
    await using executor = new Executor({ maxWorkers: 2 })
    await using plain = new Session()
    const delays = [0.3, 0.05, 0.2, 0.01, 0.1]
    let inFlight = 0
    let most = 0
    const args = await executor.map(async (delay, index) => {
      most = Math.max(most, ++inFlight)
      try {
        const response = await plain.get(`${httpbin.url}/delay/${delay}`, { params: { index } })
        return response.json<Echo>().args
      } finally {
        inFlight--
      }
    }, delays)
    expect(args).toEqual(delays.map((_, index) => ({ index: String(index) })))
    expect(most).toBe(2)
    expect(executor.stats()).toMatchObject({ completed: 5, running: 0, queued: 0 })
  })

  it("rejects with the first failure in input order and cancels the work not done", async () => {
    await using executor = new Executor({ maxWorkers: 2 })
    await using requests = new FuturesSession({ maxWorkers: 4 })
    const first = new Error("first in input order")
    const error = await executor.map(async (item, _index, signal) => {
      if (item === "fails-fast") throw new Error("fails earlier, but later in input order")
      if (item === "fails-slow") {
        await requests.get(`${httpbin.url}/delay/0.2`)
        throw first
      }
      const future = requests.get(`${httpbin.url}/delay/3`, { headers: { "X-Track-Id": `map-${item}` } })
      signal.addEventListener("abort", () => future.cancel())
      return future.result()
    }, ["fails-slow", "fails-fast", "queued-a", "queued-b"]).catch((e: unknown) => e)
    expect(error).toBe(first)
    // queued-a started when fails-fast was done: cancelled while running, its signal closed its socket
    expect(await httpbin.server.waitForClientClose("map-queued-a", 2000)).toBe(true)
    expect(executor.stats()).toMatchObject({ failed: 2, cancelled: 2, running: 0, queued: 0 })
  })

  it("with { timeout } rejects with TimeoutError and cancels the unfinished work; after shutdown, ExecutorShutdown", async () => {
    const executor = new Executor({ maxWorkers: 4 })
    await using plain = new Session()
    const started = performance.now()
    const error = await executor.map((delay, _index, signal) =>
      plain.get(`${httpbin.url}/delay/${delay}`).then((response) => {
        if (signal.aborted) throw new Error("resolved after the map was cancelled")
        return response.statusCode
      }), [0.01, 2, 2], { timeout: 150 }).catch((e: unknown) => e)
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ timeoutMs: 150, unfinished: 2 })
    expect(executor.stats()).toMatchObject({ completed: 1, cancelled: 2 })
    await executor.shutdown()
    await expect(executor.map((x: number) => x, [1])).rejects.toBeInstanceOf(ExecutorShutdown)
  })
})

describe("closing", () => {
  it("close() waits for the accepted requests, as Python's; then requests throw ExecutorShutdown", async () => {
    const s = new FuturesSession({ maxWorkers: 1 })
    const futures = [s.get(`${httpbin.url}/delay/0.1`), s.get(`${httpbin.url}/delay/0.1`)]
    await s.close()
    expect(futures.every((f) => f.done() && !f.cancelled())).toBe(true)
    expect(s.executor.stats().isShutdown).toBe(true)
    expect(() => s.get(`${httpbin.url}/get`)).toThrow(ExecutorShutdown)
  })

  it("close({ cancelFutures, interruptRunning }) stops everything at once; await using closes", async () => {
    const outer = new FuturesSession({ maxWorkers: 1 })
    let running: Future<Response, unknown> | undefined
    let queued: Future<Response, unknown> | undefined
    {
      await using s = outer
      running = s.get(`${httpbin.url}/delay/3`, { headers: { "X-Track-Id": "close-running" } })
      queued = s.get(`${httpbin.url}/get`)
      await httpbin.server.waitForRequest("close-running", 2000)
      const started = performance.now()
      await s.close({ cancelFutures: true, interruptRunning: true })
      expect(performance.now() - started).toBeLessThan(1000)
    }
    expect(outer.closed).toBe(true)
    expect([running.cancelled(), queued.cancelled()]).toEqual([true, true])
    expect(await httpbin.server.waitForClientClose("close-running", 2000)).toBe(true)
  })

  it("with a shared executor, close() waits for its own futures only", async () => {
    await using executor = new Executor({ maxWorkers: 2 })
    const s = new FuturesSession({ executor })
    const other = executor.submit(() => sleep(400))
    const own = s.get(`${httpbin.url}/delay/0.05`)
    await s.close()
    expect(own.done()).toBe(true)
    expect(other.done()).toBe(false)
    await other
  })
})
