import { BackgroundError, FuturesSession, InvalidOption, WorkerCrashed, type Background } from "requests-futures"
import { WorkerPool } from "requests-futures/workers"
import { isDeepStrictEqual } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const work = new URL("./background-work.mjs", import.meta.url)
/** Starting a thread loads effect and @effect/platform in it: seconds on a busy machine. */
const threads = { timeout: 30_000 }

describe("background work on a WorkerPool", () => {
  const pool = new WorkerPool({ workers: 2 })
  afterAll(() => pool.close())

  it("parses JSON, decodes a Schema and calls a module's function in worker threads, onto response.data", threads, async () => {
    await using session = new FuturesSession({ workerPool: pool })
    const [json, schema, titles] = await Promise.all([
      session.get(`${httpbin.url}/json`, { background: { parse: "json" } }),
      session.get(`${httpbin.url}/json`, { background: { schema: { module: work, export: "Slideshow" } } }),
      session.get(`${httpbin.url}/json`, { background: { module: work, export: "titles" } })
    ])
    expect(json.data).toEqual(json.json())
    expect(json.timings.background).toBeGreaterThan(0)
    expect(schema.data).toEqual({
      slideshow: {
        title: "Sample Slide Show",
        slides: [{ title: "Wake up to WonderWidgets!" }, { title: "Overview" }]
      }
    })
    expect(titles.data).toEqual(["Wake up to WonderWidgets!", "Overview"])
  })

  it("a 3 MiB document parsed in a thread comes back in slices, into the same value as JSON.parse of the body", threads, async () => {
    await using session = new FuturesSession({ workerPool: pool })
    const before = pool.stats().sliced
    const response = await session.get(`${httpbin.url}/json/big?mb=3`, { background: { parse: "json" } })
    expect(pool.stats().sliced).toBe(before + 1)
    expect(isDeepStrictEqual(response.data, response.json())).toBe(true)
    expect((response.data as { items: ReadonlyArray<unknown> }).items.length).toBeGreaterThan(30_000)
  })

  it("a closure or a missing module throws InvalidOption from the request method; nothing is queued", async () => {
    await using session = new FuturesSession({ workerPool: pool })
    const closure = () => 1
    expect(() => session.get(`${httpbin.url}/get`, { background: closure as unknown as Background }))
      .toThrow(InvalidOption)
    expect(() => session.get(`${httpbin.url}/get`, { background: { module: new URL("./nowhere.mjs", import.meta.url) } }))
      .toThrow(/nowhere\.mjs does not exist|does not\)/)
    expect(session.executor.stats().submitted).toBe(0)
  })

  it("a session without a workerPool refuses background work", async () => {
    await using session = new FuturesSession()
    let error: unknown
    try {
      session.get(`${httpbin.url}/get`, { background: { parse: "json" } })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidOption)
    expect((error as InvalidOption).option).toBe("background")
  })

  it("a failing function rejects with BackgroundError", async () => {
    await using session = new FuturesSession({ workerPool: pool })
    // /get has no slideshow: titles() throws a TypeError in the worker
    const error = await session.get(`${httpbin.url}/get`, { background: { module: work, export: "titles" } })
      .then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(BackgroundError)
    expect((error as BackgroundError).cause).toBeInstanceOf(TypeError)
  })
})

describe("WorkerPool", () => {
  it("a thread that dies rejects only its future with WorkerCrashed; the next request succeeds", threads, async () => {
    await using pool = new WorkerPool({ workers: 1 })
    await using session = new FuturesSession({ workerPool: pool, maxWorkers: 2 })
    const crashed = session.get(`${httpbin.url}/json`, { background: { module: work, export: "crash" } })
    await expect(crashed).rejects.toBeInstanceOf(WorkerCrashed)
    const next = await session.get(`${httpbin.url}/json`, { background: { parse: "json" } })
    expect(next.data).toEqual(next.json())
    expect(pool.stats()).toMatchObject({ crashed: 1, threads: 1 })
  })

  it("close() ends its threads", threads, async () => {
    const pool = new WorkerPool({ workers: 2 })
    await using session = new FuturesSession({ workerPool: pool })
    await session.get(`${httpbin.url}/json`, { background: { parse: "json" } })
    expect(pool.stats().threads).toBe(2)
    await pool.close()
    expect(pool.stats().threads).toBe(0)
  })

  it("workers that is not a positive integer throws InvalidOption", () => {
    expect(() => new WorkerPool({ workers: 1.5 })).toThrow(InvalidOption)
  })
})
