/**
 * The request spans reach an OpenTelemetry SDK through `@effect/opentelemetry`: what an exporter
 * receives is the span Context.test.ts checks with an in-memory Effect tracer.
 */
import { NodeSdk } from "@effect/opentelemetry"
import { describe, expect, it } from "@effect/vitest"
import { SpanKind, SpanStatusCode } from "@opentelemetry/api"
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor
} from "@opentelemetry/sdk-trace-base"
import { FuturesSession, Response, Session } from "@requests-futures/core"
import { type Echo, Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import { vi } from "vitest"
import { freePort } from "./helpers.js"

/** An SDK tracer provider whose spans land in memory as each one ends. */
const inMemorySdk = () => {
  const exporter = new InMemorySpanExporter()
  const layer = NodeSdk.layer(() => ({
    resource: { serviceName: "requests-futures-test" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  }))
  return { exporter, layer }
}

const echo = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

const clientSpans = (exporter: InMemorySpanExporter): ReadonlyArray<ReadableSpan> =>
  exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT)

describe("spans exported to an OpenTelemetry SDK", () => {
  it.scoped("a FuturesSession request exports a CLIENT span under the caller's span, with the ids httpbin saw", () => {
    const sdk = inMemorySdk()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* FuturesSession.make({ tracing: true })
      const { parent, response } = yield* Effect.gen(function*() {
        const parent = yield* Effect.currentSpan
        const future = yield* session.get(`${server.url}/headers`)
        return { parent, response: yield* future.result() }
      }).pipe(Effect.withSpan("parent"))
      const { headers } = yield* echo(response)

      const spans = clientSpans(sdk.exporter)
      expect(spans).toHaveLength(1)
      const span = spans[0]!
      const { spanId, traceId } = span.spanContext()
      expect(span.name).toBe("GET")
      expect(span.attributes).toEqual({
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "url.full": `${server.url}/headers`,
        "http.response.status_code": 200
      })
      expect(span.parentSpanContext?.spanId).toBe(parent.spanId)
      expect(traceId).toBe(parent.traceId)
      expect(span.events.map((e) => e.name)).toEqual(["queued"])
      expect(typeof span.events[0]!.attributes?.["requests_futures.queued_ms"]).toBe("number")
      expect(headers["Traceparent"]).toBe(`00-${traceId}-${spanId}-01`)
      expect(headers["B3"]).toBe(`${traceId}-${spanId}-1`)

      const exportedParent = sdk.exporter.getFinishedSpans().find((s) => s.name === "parent")
      expect(exportedParent?.spanContext().spanId).toBe(parent.spanId)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a redirect chain of two exports three CLIENT spans, the later ones with resend counts 1 and 2", () => {
    const sdk = inMemorySdk()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make({ tracing: true })
      const response = yield* session.get(`${server.url}/redirect/2`).pipe(Effect.withSpan("parent"))
      expect(response.history).toHaveLength(2)

      const hops = clientSpans(sdk.exporter)
      expect(hops.map((s) => s.name)).toEqual(["GET", "GET", "GET"])
      expect(hops.map((s) => s.attributes["http.request.resend_count"])).toEqual([undefined, 1, 2])
      expect(hops.map((s) => s.attributes["url.full"])).toEqual([
        `${server.url}/redirect/2`,
        `${server.url}/relative-redirect/1`,
        `${server.url}/get`
      ])
      expect(hops.map((s) => s.attributes["http.response.status_code"])).toEqual([302, 302, 200])
      const parent = sdk.exporter.getFinishedSpans().find((s) => s.name === "parent")!
      expect(hops.map((s) => s.parentSpanContext?.spanId)).toEqual(Array(3).fill(parent.spanContext().spanId))
      const { headers } = yield* echo(response)
      expect(headers["Traceparent"]).toContain(hops[2]!.spanContext().spanId)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a refused connection is exported with status ERROR and error.type; a 404 with error.type \"404\"", () => {
    const sdk = inMemorySdk()
    return Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const port = yield* freePort
      const session = yield* FuturesSession.make({ tracing: true })
      const refused = yield* session.get(`http://127.0.0.1:${port}/`).pipe(Effect.flatMap((f) => f.result()), Effect.flip)
      expect(refused._tag).toBe("ConnectionError")
      yield* session.get(`${server.url}/status/404`).pipe(Effect.flatMap((f) => f.result()))

      const [failed, notFound] = clientSpans(sdk.exporter)
      expect(failed?.attributes["error.type"]).toBe("ConnectionError")
      expect(failed?.attributes["http.response.status_code"]).toBeUndefined()
      expect(failed?.status.code).toBe(SpanStatusCode.ERROR)
      expect(failed?.events.map((e) => e.name)).toEqual(["queued", "exception"])
      expect(notFound?.attributes["http.response.status_code"]).toBe(404)
      expect(notFound?.attributes["error.type"]).toBe("404")
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("the core README's wiring exports the request's span when its layer closes", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const printed: Array<unknown> = []
      const dir = vi.spyOn(console, "dir").mockImplementation((item) => void printed.push(item))
      yield* Effect.addFinalizer(() => Effect.sync(() => dir.mockRestore()))

      // ---- as in packages/core/README.md, "Tracing" (the URL aside) ----
      const Telemetry = NodeSdk.layer(() => ({
        resource: { serviceName: "my-service" },
        spanProcessor: new BatchSpanProcessor(new ConsoleSpanExporter())
      }))

      const program = Effect.gen(function*() {
        const session = yield* FuturesSession.make({ tracing: true })
        const future = yield* session.get(`${server.url}/get`)
        const response = yield* future.result()
        return response.statusCode
      }).pipe(Effect.withSpan("load-profile"), Effect.scoped, Effect.provide(Telemetry))
      // ----

      expect(yield* program).toBe(200)
      const names = printed.map((item) => (item as { readonly name?: unknown }).name)
      expect(names).toEqual(["GET", "load-profile"])
    }))
})
