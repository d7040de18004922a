/**
 * The caller's context flows with the work: spans, log annotations, the Clock and provided services
 * are in force where a FuturesSession's request runs, on the executor; executors and transports are
 * services.
 */
import { describe, expect, it } from "@effect/vitest"
import { Executor, FuturesSession, Response, Session, Transport } from "@requests-futures/core"
import { type Echo, Httpbin } from "@requests-futures/httpbin"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { freePort } from "./helpers.js"

interface RecordedSpan extends Tracer.Span {
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  exit: Exit.Exit<unknown, unknown> | undefined
}

const hex = (bytes: number) =>
  Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, "0")).join("")

/** An in-memory tracer: every span it made, in start order. */
const recordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const span: RecordedSpan = {
        _tag: "Span",
        name,
        spanId: hex(8),
        traceId: Option.match(parent, { onNone: () => hex(16), onSome: (p) => p.traceId }),
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: new Map(),
        events: [],
        links,
        sampled: true,
        kind,
        exit: undefined,
        end(endTime, exit) {
          span.exit = exit
          ;(span as { status: Tracer.SpanStatus }).status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute(key, value) {
          span.attributes.set(key, value)
        },
        event(name, _startTime, attributes) {
          span.events.push({ name, attributes })
        },
        addLinks() {}
      }
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { spans, layer: Layer.setTracer(tracer) }
}

const echo = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

const parentId = (span: Tracer.Span) => Option.getOrUndefined(Option.map(span.parent, (p) => p.spanId))

describe("the caller's context", () => {
  it.scoped("a FuturesSession request is a client span, child of the caller's span, whose ids go out in traceparent", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ tracing: true })
      const { parent, response } = yield* Effect.gen(function*() {
        const parent = yield* Effect.currentSpan
        const future = yield* session.get(`${server.url}/headers`)
        return { parent, response: yield* future.result() }
      }).pipe(Effect.withSpan("parent"))
      const { headers } = yield* echo(response)
      const requestSpans = recorder.spans.filter((s) => s.name === "GET")
      expect(requestSpans).toHaveLength(1)
      const span = requestSpans[0]!
      expect(parentId(span)).toBe(parent.spanId)
      expect(span.traceId).toBe(parent.traceId)
      expect(span.kind).toBe("client")
      expect(headers["Traceparent"]).toBe(`00-${span.traceId}-${span.spanId}-01`)
      expect(headers["B3"]).toBe(`${span.traceId}-${span.spanId}-1`)
      expect(Object.fromEntries(span.attributes)).toEqual({
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "url.full": `${server.url}/headers`,
        "http.response.status_code": 200
      })
      expect(span.events.map((e) => e.name)).toEqual(["queued"])
      expect(typeof span.events[0]!.attributes?.["requests_futures.queued_ms"]).toBe("number")
      expect(span.exit !== undefined && Exit.isSuccess(span.exit)).toBe(true)
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("a failing request's span has error.type; a 404 has its status as error.type", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const port = yield* freePort
      const session = yield* FuturesSession.make({ tracing: true })
      const refused = yield* session.get(`http://127.0.0.1:${port}/`).pipe(Effect.flatMap((f) => f.result()), Effect.flip)
      expect(refused._tag).toBe("ConnectionError")
      yield* session.get(`${server.url}/status/404`).pipe(Effect.flatMap((f) => f.result()))
      const [failed, notFound] = recorder.spans
      expect(failed!.attributes.get("error.type")).toBe("ConnectionError")
      expect(failed!.exit !== undefined && Exit.isFailure(failed!.exit)).toBe(true)
      expect(notFound!.attributes.get("http.response.status_code")).toBe(404)
      expect(notFound!.attributes.get("error.type")).toBe("404")
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("each hop of a redirect chain is a span with its resend count; the password never shows in url.full", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make({ tracing: true })
      const response = yield* session.get(`${server.url}/redirect/2`).pipe(Effect.withSpan("parent"))
      expect(response.history).toHaveLength(2)
      const hops = recorder.spans.filter((s) => s.name === "GET")
      expect(hops.map((s) => s.attributes.get("http.request.resend_count"))).toEqual([undefined, 1, 2])
      expect(new Set(hops.map((s) => parentId(s))).size).toBe(1)
      const { headers } = yield* echo(response)
      expect(headers["Traceparent"]).toContain(hops[2]!.spanId)

      yield* Effect.ignore(session.get(`http://ada:s3cret@127.0.0.1:${server.port}/get`))
      const last = recorder.spans[recorder.spans.length - 1]!
      expect(String(last.attributes.get("url.full"))).not.toContain("s3cret")
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("tracing off makes no span and sends no trace header", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make()
      const response = yield* session.get(`${server.url}/headers`).pipe(
        Effect.flatMap((f) => f.result()),
        Effect.withSpan("parent")
      )
      expect((yield* echo(response)).headers["Traceparent"]).toBeUndefined()
      expect(recorder.spans.map((s) => s.name)).toEqual(["parent"])
      // per request
      yield* session.get(`${server.url}/get`, { tracing: true }).pipe(Effect.flatMap((f) => f.result()))
      expect(recorder.spans.map((s) => s.name)).toEqual(["parent", "GET"])
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("a log annotation set by the caller appears in what a hook logs on the executor", () => {
    const lines: Array<{ message: unknown; annotations: Record<string, unknown> }> = []
    const logger = Logger.make(({ annotations, message }) => {
      lines.push({ message, annotations: Object.fromEntries(annotations) })
    })
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({
        hooks: { response: (response) => Effect.log(`hook saw ${response.statusCode}`) }
      })
      const future = yield* session.get(`${server.url}/get`).pipe(Effect.annotateLogs("job", "nightly-42"))
      yield* future.result()
      const line = lines.find((l) => String(l.message).includes("hook saw 200"))
      expect(line?.annotations).toEqual({ job: "nightly-42" })
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })

  it.scoped("a service the caller provided is in force in a background callback", () => {
    class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make()
      let seen: string | undefined
      const future = yield* session.get(`${server.url}/get`, {
        backgroundCallback: () =>
          Effect.serviceOption(Greeting).pipe(Effect.map((g) => {
            seen = Option.getOrUndefined(g)
          }))
      }).pipe(Effect.provideService(Greeting, "hello from the caller"))
      yield* future.result()
      expect(seen).toBe("hello from the caller")
    })
  })

  it.effect("a TestClock drives a retry's backoff: three attempts, 30 s of backoff, no real waiting", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      // An executor made outside the test's fibers: only the submitter's context carries the TestClock.
      const executor = Either.getOrThrow(Executor.unsafeMake({ maxWorkers: 2 }))
      yield* Effect.addFinalizer(() => executor.shutdown({ interruptRunning: true }))
      const session = yield* FuturesSession.make({ executor, retry: { limit: 2, backoff: 10_000, maxDelay: 60_000 } })
      const started = Date.now()
      const future = yield* session.get(`${server.url}/status/503`, { headers: { "X-Track-Id": "backoff" } })
      const waiting = yield* Effect.fork(Effect.flip(future.result()))
      for (let i = 0; i < 200 && !(yield* future.done); i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
        yield* TestClock.adjust("5 seconds")
      }
      const error = yield* Fiber.join(waiting)
      expect(error._tag).toBe("RetryError")
      expect(server.requests().filter((r) => r.trackId === "backoff")).toHaveLength(3)
      expect(Date.now() - started).toBeLessThan(5_000)
    }).pipe(Effect.scoped), 20_000)
})

describe("executors and transports are services", () => {
  class First extends Context.Tag("First")<First, FuturesSession.FuturesSession>() {}
  class Second extends Context.Tag("Second")<Second, FuturesSession.FuturesSession>() {}

  it.scoped("two FuturesSession layers over one Executor.layer({ maxWorkers: 2 }) never run more than 2 requests at once", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const sessions = Layer.mergeAll(Layer.scoped(First, FuturesSession.make()), Layer.scoped(Second, FuturesSession.make()))
        .pipe(Layer.provide(Executor.layer({ maxWorkers: 2 })))
      yield* Effect.gen(function*() {
        const first = yield* First
        const second = yield* Second
        expect(first.executor).toBe(second.executor)
        expect(first.ownsExecutor).toBe(false)
        const futures = yield* Effect.forEach(
          Array.from({ length: 8 }),
          (_, i) => (i % 2 === 0 ? first : second).get(`${server.url}/delay/0.3`)
        )
        expect((yield* first.executor.stats).queued).toBe(6)
        yield* Effect.forEach(futures, (f) => f.result())
      }).pipe(Effect.provide(sessions))
      const arrivals = server.requests().map((r) => r.receivedAt)
      expect(arrivals).toHaveLength(8)
      // Each request takes 300 ms: never more than 2 arrived within any 250 ms window.
      for (const at of arrivals) {
        expect(arrivals.filter((other) => other <= at && other > at - 250).length).toBeLessThanOrEqual(2)
      }
    }))

  it.scoped("Session.make sends through the Transport in context", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const transport = yield* Transport.make({ connections: 1 })
      const session = yield* Session.make().pipe(Effect.provideService(Transport.Transport, transport))
      expect(session.transport).toBe(transport)
      yield* session.get(`${server.url}/get`)
      expect(transport.stats().connected).toBe(1)
    }))
})
