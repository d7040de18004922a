import { describe, expect, layer } from "@effect/vitest"
import { Background, Errors, FuturesSession } from "@requests-futures/core"
import * as WorkerPool from "@requests-futures/core/WorkerPool"
import { Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { isDeepStrictEqual } from "node:util"
import { threadId } from "node:worker_threads"

const functions = new URL("./fixtures/background.mjs", import.meta.url)
const schemas = new URL("./fixtures/schemas.mjs", import.meta.url)

/** The module the worker threads import, here too: what a shaped result must be, made from the same body. */
const { depthOf, shape } = await import(functions.href) as {
  readonly shape: (name: string, items: ReadonlyArray<Record<string, unknown>>) => unknown
  readonly depthOf: (value: unknown) => number
}

const items = (response: { readonly text: string }) =>
  (JSON.parse(response.text) as { items: Array<Record<string, unknown>> }).items

const seen = (trackId: string) => Effect.map(Httpbin, (server) => server.requestInfo(trackId) !== undefined)

layer(Layer.merge(Httpbin.layer(), WorkerPool.layer({ workers: 2 })))("background work", (it) => {
  describe("results", () => {
    it.scoped("{ parse: \"json\" } parses the body in a worker thread onto data, and the bytes come back", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const response = yield* yield* session.get(`${url}/json`, { background: { parse: "json" } })
        expect(response.data).toEqual(JSON.parse(response.text))
        expect(response.data).toMatchObject({ slideshow: { author: "Yours Truly" } })
        expect(response.timings.background).toBeGreaterThan(0)
      }))

    it.scoped("{ schema } decodes with the Schema a module exports (excess keys stripped by it)", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const future = yield* session.get(`${url}/json`, { background: { schema: { module: schemas, export: "Slideshow" } } })
        const response = yield* future
        const data = response.data as { slideshow: { slides: ReadonlyArray<Record<string, unknown>> } }
        expect(data.slideshow.slides).toEqual([
          { type: "all", title: "Wake up to WonderWidgets!" },
          { type: "all", title: "Overview" }
        ])
      }))

    it.scoped("a body the Schema refuses fails with SchemaDecodeError, its response whole", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const future = yield* session.get(`${url}/json`, { background: { schema: { module: schemas, export: "Wrong" } } })
        const error = yield* Effect.flip(future.result())
        expect(error._tag).toBe("SchemaDecodeError")
        const decode = error as Errors.SchemaDecodeError
        expect(String(decode.cause)).toContain("Expected number")
        expect(JSON.parse(decode.response.text)).toMatchObject({ slideshow: { date: "date of publication" } })
      }))

    it.scoped("a body that is not JSON fails with JsonDecodeError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const future = yield* session.get(`${url}/html`, { background: { parse: "json" } })
        const error = yield* Effect.flip(future.result())
        expect(error._tag).toBe("JsonDecodeError")
        expect((error as Errors.JsonDecodeError).response.text).toContain("Herman Melville")
      }))

    it.scoped("{ module, export } calls the exported function on another thread with the response", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const response = yield* yield* session.get(`${url}/get`, { background: { module: functions, export: "summary" } })
        expect(response.data).toEqual({
          bytes: response.content.byteLength,
          threadId: expect.any(Number),
          statusCode: 200,
          contentType: "application/json",
          url: `${url}/get`
        })
        expect((response.data as { threadId: number }).threadId).not.toBe(threadId)
        // the default export, with the module as a path
        const sized = yield* yield* session.get(`${url}/json`, { background: { module: functions.pathname } })
        expect(sized.data).toBe(sized.text.length)
      }))

    it.scoped("a 2 MiB body goes to the worker and comes back as the response's content", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const response = yield* yield* session.get(`${url}/json/big?mb=2`, {
          background: { module: functions, export: "summary" }
        })
        expect(response.content.byteLength).toBe(2 * 1024 * 1024)
        expect((response.data as { bytes: number }).bytes).toBe(2 * 1024 * 1024)
        expect((JSON.parse(response.text) as { items: ReadonlyArray<unknown> }).items.length).toBeGreaterThan(10_000)
      }))

    it.scoped("a function that throws fails the future with BackgroundError, its error as the cause", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const future = yield* session.get(`${url}/get`, { background: { module: functions, export: "fails" } })
        const error = yield* Effect.flip(future.result())
        expect(error).toBeInstanceOf(Errors.BackgroundError)
        expect((error as Errors.BackgroundError).cause).toBeInstanceOf(RangeError)
        expect(error.message).toContain("function \"fails\" of file://")
        expect(error.message).toContain("no good")
        const notAFunction = yield* session.get(`${url}/get`, { background: { module: functions, export: "notAFunction" } })
        expect((yield* Effect.flip(notAFunction.result())).message).toContain("is not a function")
      }))

    it.scoped("background runs before the backgroundCallback, which sees data", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        let seenData: unknown
        const future = yield* session.get(`${url}/json`, {
          background: { parse: "json" },
          backgroundCallback: (_session, response) => {
            seenData = response.data
          }
        })
        const response = yield* future
        expect(seenData).toEqual(response.data)
        expect(seenData).toMatchObject({ slideshow: { title: "Sample Slide Show" } })
      }))

    it.scoped("the work runs in the request's slot: with maxWorkers 1 the next request waits for it", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make({ maxWorkers: 1 })
        const first = yield* session.get(`${url}/json/big?mb=8`, { background: { parse: "json" } })
        const second = yield* session.get(`${url}/get`)
        const [big, small] = yield* Effect.all([first, second])
        expect(big.timings.background).toBeGreaterThan(0)
        // the second waited in the queue for the whole first future, its background work included
        expect(small.timings.queued).toBeGreaterThanOrEqual(big.timings.total + big.timings.background! - 5)
      }))
  })

  describe("refused when the request is made", () => {
    it.scoped("a closure is InvalidOption at the call, and nothing is sent", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const closure = (input: Background.Input) => input.content.length
        const error = yield* Effect.flip(session.get(`${url}/get`, {
          background: closure as unknown as Background.Background,
          headers: { "X-Track-Id": "background-closure" }
        }))
        expect(error).toBeInstanceOf(Errors.InvalidOption)
        expect(error).toMatchObject({ option: "background", method: "GET" })
        expect(error.message).toContain("a closure cannot run in a worker thread")
        yield* yield* session.get(`${url}/get`)
        expect(yield* seen("background-closure")).toBe(false)
      }))

    it.scoped("a module that does not exist, or a relative path, is InvalidOption at the call", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make()
        const missing = yield* Effect.flip(session.get(`${url}/get`, {
          background: { module: new URL("./fixtures/nowhere.mjs", import.meta.url), export: "parse" }
        }))
        expect(missing).toMatchObject({ _tag: "InvalidOption", option: "background.module" })
        expect(missing.message).toContain("nowhere.mjs does not")
        const relative = yield* Effect.flip(session.get(`${url}/get`, {
          background: { schema: { module: "./fixtures/schemas.mjs", export: "Slideshow" } }
        }))
        expect(relative).toMatchObject({ _tag: "InvalidOption", option: "background.schema.module" })
        const parse = yield* Effect.flip(session.get(`${url}/get`, {
          background: { parse: "yaml" } as unknown as Background.Background
        }))
        expect(parse).toMatchObject({ _tag: "InvalidOption", option: "background.parse" })
        const streamed = yield* Effect.flip(session.get(`${url}/get`, { background: { parse: "json" }, stream: true }))
        expect(streamed.message).toContain("stream: true")
      }))

    it.scoped("without a pool, a request with background is refused", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        // the pool in context is this suite's: makeWith takes none unless given one
        const session = yield* FuturesSession.make()
        const bare = FuturesSession.makeWith(session.executor, session.session)
        const error = yield* Effect.flip(bare.get(`${url}/get`, { background: { parse: "json" } }))
        expect(error).toMatchObject({ _tag: "InvalidOption", option: "background" })
        expect(error.message).toContain("no worker pool")
      }))
  })
})

layer(Httpbin.layer())("the worker pool", (it) => {
  it.scoped("a thread that dies fails only the future on it (WorkerCrashed); the next one succeeds", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const pool = yield* WorkerPool.make({ workers: 1 })
      const session = yield* FuturesSession.make({ maxWorkers: 4, workerPool: pool })
      const crash = yield* session.get(`${url}/get`, { background: { module: functions, export: "crash" } })
      const error = yield* Effect.flip(crash.result())
      expect(error).toBeInstanceOf(Errors.WorkerCrashed)
      expect(error.message).toContain("function \"crash\"")
      expect(error.message).toContain("code 7")
      const next = yield* yield* session.get(`${url}/json`, { background: { parse: "json" } })
      expect(next.data).toMatchObject({ slideshow: { author: "Yours Truly" } })
      expect(pool.stats()).toMatchObject({ workers: 1, threads: 1, crashed: 1, busy: 0 })
    }))

  it.effect("closing the pool's scope ends its threads", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(WorkerPool.make({ workers: 3 }), scope)
      const session = yield* Scope.extend(FuturesSession.make({ workerPool: pool }), scope)
      const response = yield* yield* session.get(`${url}/json`, { background: { parse: "json" } })
      expect(response.data).toBeDefined()
      expect(pool.stats().threads).toBe(3)
      yield* Scope.close(scope, Exit.void)
      expect(pool.stats().threads).toBe(0)
      // the session closed with the scope: a request now is refused
      const refused = yield* Effect.flip(session.get(`${url}/get`, { background: { parse: "json" } }))
      expect(refused._tag).toBe("ExecutorShutdown")
    }))

  it.effect("a workers count that is not a positive integer is InvalidOption", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(WorkerPool.make({ workers: 0 })))
      expect(error).toMatchObject({ _tag: "InvalidOption", option: "workers", value: 0 })
      expect(WorkerPool.defaultWorkers()).toBeGreaterThanOrEqual(1)
    }))
})

layer(Layer.merge(Httpbin.layer(), WorkerPool.layer({ workers: 2 })))("large results, back in slices", (it) => {
  const sliced = Effect.map(Background.Pool, (pool) => pool.stats().sliced)

  it.scoped("{ parse: \"json\" } of a 4 MiB document: the same value as JSON.parse of the body, received in slices", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const session = yield* FuturesSession.make()
      const before = yield* sliced
      const response = yield* yield* session.get(`${url}/json/big?mb=4`, { background: { parse: "json" } })
      expect(yield* sliced).toBe(before + 1)
      expect(isDeepStrictEqual(response.data, JSON.parse(response.text))).toBe(true)
      expect((response.data as { items: ReadonlyArray<unknown> }).items.length).toBeGreaterThan(40_000)
    }))

  it.scoped("a function's large result of any shape comes back whole and the same: arrays, objects, nested, one long string", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const session = yield* FuturesSession.make({ maxWorkers: 4 })
      const before = yield* sliced
      const shapes = ["array", "object", "nested", "string"] as const
      const responses = yield* Effect.forEach(shapes, (name) =>
        Effect.flatten(session.get(`${url}/json/big?mb=2&shape=${name}`, { background: { module: functions, export: "shaped" } })),
        { concurrency: "unbounded" })
      expect(yield* sliced).toBe(before + shapes.length)
      for (const [i, response] of responses.entries()) {
        const expected = shape(shapes[i]!, items(response))
        expect(isDeepStrictEqual(response.data, expected), shapes[i]).toBe(true)
      }
      const nested = responses[2]!.data as Record<string, Record<string, unknown>>
      // what a structured clone keeps, slices keep: an own "__proto__", undefined, -0, a Date, a bigint, bytes
      expect(Object.getPrototypeOf(nested.proto)).toBe(Object.prototype)
      expect(Object.keys(nested.proto!)).toEqual(["__proto__"])
      expect(Object.keys(nested.meta!)).toContain("missing")
      expect(Object.is(nested.meta!.negativeZero, -0)).toBe(true)
      expect(nested.meta!.when).toBeInstanceOf(Date)
      expect(nested.meta!.big).toBe(10n ** 20n)
      expect(nested.bytes).toBeInstanceOf(Uint8Array)
      expect(Object.keys(nested)).toEqual(["123", "meta", "pages", "grid", "bytes", "proto", "text", "empty"])
    }))

  it.scoped("small results, and a large one with an object reached twice, come back whole (identity kept)", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const session = yield* FuturesSession.make()
      const before = yield* sliced
      const small = yield* yield* session.get(`${url}/json/big?mb=2&shape=count`, { background: { module: functions, export: "shaped" } })
      const shared = yield* yield* session.get(`${url}/json/big?mb=2&shape=shared`, { background: { module: functions, export: "shaped" } })
      const json = yield* yield* session.get(`${url}/json`, { background: { parse: "json" } })
      expect(yield* sliced).toBe(before)
      expect(small.data).toEqual({ count: items(small).length })
      const data = shared.data as { first: unknown; second: unknown; items: unknown }
      expect(data.first).toBe(data.second)
      expect(isDeepStrictEqual(data.items, items(shared))).toBe(true)
      expect(json.data).toEqual(JSON.parse(json.text))
    }))

  it.scoped("a large result nested 1,000 levels deep arrives; one too deep to clone (100,000) fails typed, its slot freed", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const session = yield* FuturesSession.make()
      const before = yield* sliced
      const deep = yield* yield* session.get(`${url}/get?depth=1000`, { background: { module: functions, export: "nested" } })
      expect(yield* sliced).toBe(before + 1)
      expect(depthOf((deep.data as { deep: unknown }).deep)).toBe(1000)
      const error = yield* Effect.flip(Effect.flatten(session.get(`${url}/get?depth=100000`, {
        background: { module: functions, export: "nested" }
      })))
      expect(error).toBeInstanceOf(Errors.BackgroundError)
      expect(yield* session.executor.stats).toMatchObject({ running: 0, queued: 0 })
      const next = yield* yield* session.get(`${url}/get?depth=10`, { background: { module: functions, export: "nested" } })
      expect(depthOf((next.data as { deep: unknown }).deep)).toBe(10)
    }))

  it.scoped("a thread that dies among large results fails only its future; the others arrive whole, every slot is freed", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const pool = yield* WorkerPool.make({ workers: 1 })
      const session = yield* FuturesSession.make({ maxWorkers: 3, workerPool: pool })
      const first = yield* session.get(`${url}/json/big?mb=3`, { background: { parse: "json" } })
      const crash = yield* session.get(`${url}/json/big?mb=3`, { background: { module: functions, export: "crash" } })
      const last = yield* session.get(`${url}/json/big?mb=3&shape=object`, { background: { module: functions, export: "shaped" } })
      const error = yield* Effect.flip(crash.result())
      expect(error).toBeInstanceOf(Errors.WorkerCrashed)
      const [a, b] = yield* Effect.all([first.result(), last.result()])
      expect(isDeepStrictEqual(a.data, JSON.parse(a.text))).toBe(true)
      expect(isDeepStrictEqual(b.data, shape("object", items(b)))).toBe(true)
      expect(pool.stats()).toMatchObject({ crashed: 1, busy: 0, completed: 3, sliced: 2 })
      expect(yield* session.executor.stats).toMatchObject({ running: 0, queued: 0 })
    }))
})
