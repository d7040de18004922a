import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, layer } from "@effect/vitest"
import { Errors, Headers, Response, Session, Transport } from "@requests-futures/core"
import * as PlatformHttpClient from "@requests-futures/core/PlatformHttpClient"
import { type Echo as HttpbinEcho, Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestServices from "effect/TestServices"
import * as http from "node:http"
import { freePort } from "./helpers.js"

/** The echo JSON httpbin sends back; /cookies sends `cookies`, /basic-auth `authenticated`. */
type Echo = HttpbinEcho & { readonly cookies?: Record<string, string>; readonly authenticated?: boolean }

const platformEcho = (response: { readonly json: Effect.Effect<unknown, HttpClientError.ResponseError> }) =>
  Effect.map(response.json, (body) => body as Echo)

const coreEcho = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

/** A platform client over node:http that hands back bodies as they came (no decoding), as Node's own does. */
const nodeHttpClient = HttpClient.make((request, url) =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    const outgoing = http.request(url, { method: request.method, headers: request.headers }, (incoming) => {
      const chunks: Array<Buffer> = []
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
      incoming.on("end", () => {
        const headers = new globalThis.Headers()
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const v of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, v)
        }
        const source = new globalThis.Response(Buffer.concat(chunks), { status: incoming.statusCode!, headers })
        resume(Effect.succeed(HttpClientResponse.fromWeb(request, source)))
      })
    })
    outgoing.on("error", (cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))))
    outgoing.end(request.body._tag === "Raw" ? (request.body.body as Uint8Array) : undefined)
    return Effect.sync(() => outgoing.destroy())
  })
)

layer(Httpbin.layer())("PlatformHttpClient", (it) => {
  describe("layer: platform's HttpClient over a FuturesSession", () => {
    it.effect("keeps cookies across requests of code that only uses HttpClient.get", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const set = yield* HttpClient.get(`${url}/cookies/set?a=1`)
        expect(set.status).toBe(200)
        const later = yield* platformEcho(yield* HttpClient.get(`${url}/cookies`))
        expect(later.cookies).toEqual({ a: "1" })
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("never opens more connections than maxWorkers: 8 concurrent /delay/0.2 on 2 workers", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin.make()
        const started = performance.now()
        const statuses = yield* Effect.forEach(
          Array.from({ length: 8 }),
          () => Effect.map(HttpClient.get(`${server.url}/delay/0.2`), (response) => response.status),
          { concurrency: "unbounded" }
        ).pipe(Effect.provide(PlatformHttpClient.layer({ maxWorkers: 2 })))
        expect(statuses).toEqual(Array.from({ length: 8 }, () => 200))
        expect(server.stats().accepted).toBeLessThanOrEqual(2)
        // 4 rounds of 200 ms: the requests really waited for a worker.
        expect(performance.now() - started).toBeGreaterThanOrEqual(750)
      }).pipe(Effect.scoped))

    it.effect("follows a redirect chain (the session follows, the platform client does not)", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* HttpClient.get(`${url}/redirect/3`)
        expect(response.status).toBe(200)
        expect((yield* platformEcho(response)).url).toBe(`${url}/get`)
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("sends a JSON body built with HttpClientRequest.bodyJson, with urlParams", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const client = yield* HttpClient.HttpClient
        const request = yield* HttpClientRequest.post(`${url}/post`, { urlParams: { q: "x y" } }).pipe(
          HttpClientRequest.bodyJson({ name: "Ada", langs: ["en", "fr"] })
        )
        const body = yield* platformEcho(yield* client.execute(request))
        expect(body.json).toEqual({ name: "Ada", langs: ["en", "fr"] })
        expect(body.headers["Content-Type"]).toBe("application/json")
        expect(body.args).toEqual({ q: "x y" })
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("sends FormData as multipart", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const form = new FormData()
        form.append("name", "Ada")
        form.append("file", new Blob(["hello"], { type: "text/plain" }), "hello.txt")
        const client = yield* HttpClient.HttpClient
        const body = yield* platformEcho(
          yield* client.execute(HttpClientRequest.post(`${url}/post`).pipe(HttpClientRequest.bodyFormData(form)))
        )
        expect(body.form).toEqual({ name: "Ada" })
        expect(body.files).toEqual({ file: "hello" })
        expect(body.headers["Content-Type"]).toMatch(/^multipart\/form-data; boundary=/)
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("a refused connection is an HttpClientError whose cause is our ConnectionError", () =>
      Effect.gen(function*() {
        const port = yield* freePort
        const error = yield* Effect.flip(HttpClient.get(`http://127.0.0.1:${port}/`))
        expect(HttpClientError.isHttpClientError(error)).toBe(true)
        if (error._tag !== "RequestError") throw new Error(`expected RequestError, got ${error._tag}`)
        expect(error.reason).toBe("Transport")
        expect(error.cause).toBeInstanceOf(Errors.ConnectionError)
        expect(error.message).toContain("ECONNREFUSED")
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("an invalid URL is a RequestError with reason InvalidUrl", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(HttpClient.get("ftp://example.com/x"))
        if (error._tag !== "RequestError") throw new Error(`expected RequestError, got ${error._tag}`)
        expect(error.reason).toBe("InvalidUrl")
        expect((error.cause as Errors.RequestError)._tag).toBe("InvalidSchema")
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("interrupting the caller cancels the request: the server sees the socket close", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const fiber = yield* Effect.fork(
          HttpClient.get(`${server.url}/delay/5`, { headers: { "X-Track-Id": "platform-interrupt" } })
        )
        expect(yield* Effect.promise(() => server.waitForRequest("platform-interrupt", 2000))).toBeDefined()
        yield* Fiber.interrupt(fiber)
        expect(yield* Effect.promise(() => server.waitForClientClose("platform-interrupt", 2000))).toBe(true)
      }).pipe(Effect.provide(PlatformHttpClient.layer())))

    it.effect("a body that is not JSON is a ResponseError (Decode) from response.json", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* HttpClient.get(`${url}/html`)
        const error = yield* Effect.flip(response.json)
        expect(error.reason).toBe("Decode")
        expect((yield* response.text).startsWith("<!DOCTYPE html>")).toBe(true)
      }).pipe(Effect.provide(PlatformHttpClient.layer())))
  })

  describe("transport: a Session over platform's FetchHttpClient", () => {
    const session = Effect.map(PlatformHttpClient.transport, (transport) => Session.makeWith({}, transport)).pipe(
      Effect.provide(FetchHttpClient.layer)
    )

    it.effect("passes params", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* (yield* session).get(`${url}/get?x=1`, { params: { y: "two words" } })
        expect((yield* coreEcho(response)).args).toEqual({ x: "1", y: "two words" })
      }))

    it.effect("follows redirects itself, with history", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* (yield* session).get(`${url}/redirect/2`)
        expect(response.statusCode).toBe(200)
        expect(response.url).toBe(`${url}/get`)
        expect(response.history.map((r) => r.statusCode)).toEqual([302, 302])
      }))

    it.effect("keeps cookies in the session's jar", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const s = yield* session
        yield* s.get(`${url}/cookies/set?a=1&b=2`, { allowRedirects: false })
        expect(s.cookies.toRecord()).toEqual({ a: "1", b: "2" })
        expect((yield* coreEcho(yield* s.get(`${url}/cookies`))).cookies).toEqual({ a: "1", b: "2" })
      }))

    it.effect("sends Basic auth", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* (yield* session).get(`${url}/basic-auth/user/pass`, { auth: ["user", "pass"] })
        expect(response.statusCode).toBe(200)
        expect((yield* coreEcho(response)).authenticated).toBe(true)
      }))

    // The transport times on the Effect Clock: this test runs on the live one (the transport, made
    // inside, keeps the runtime it was made in).
    it.effect("a read timeout against a slow server fails with ReadTimeout", () =>
      TestServices.provideLive(Effect.gen(function*() {
        const { url } = yield* Httpbin
        const started = performance.now()
        const error = yield* Effect.flip((yield* session).get(`${url}/delay/2`, { timeout: 200 }))
        if (error._tag !== "ReadTimeout") throw new Error(`expected ReadTimeout, got ${error._tag}`)
        expect(error.phase).toBe("headers")
        expect(error.timeoutMs).toBe(200)
        // best effort: connect + read
        expect(performance.now() - started).toBeLessThan(1500)
      })))

    it.effect("a refused connection is our ConnectionError", () =>
      Effect.gen(function*() {
        const port = yield* freePort
        const error = yield* Effect.flip((yield* session).get(`http://127.0.0.1:${port}/`))
        expect(error._tag).toBe("ConnectionError")
        expect(error.message).toContain("ECONNREFUSED")
      }))

    it.effect("asks for no compression unless told who decodes", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const body = yield* coreEcho(yield* (yield* session).get(`${url}/get`))
        expect(body.headers["Accept-Encoding"]).toBe("identity")
      }))

    it.effect("contentDecoding \"client\": fetch decodes gzip and br, the session does not decode twice", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const transport = yield* PlatformHttpClient.makeTransport({ contentDecoding: "client" })
        const s = Session.makeWith({}, transport)
        const gzip = yield* s.get(`${url}/gzip`)
        expect((yield* coreEcho(gzip)).headers["Accept-Encoding"]).toBe("gzip, deflate, br")
        expect(((yield* Response.json(gzip)) as { gzipped: boolean }).gzipped).toBe(true)
        expect(gzip.headers.has("content-encoding")).toBe(false)
        const br = yield* s.get(`${url}/brotli`)
        expect(((yield* Response.json(br)) as { brotli: boolean }).brotli).toBe(true)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.effect("contentDecoding \"session\": a client that returns raw bytes, the session decodes", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const transport = yield* PlatformHttpClient.makeTransport({ contentDecoding: "session" })
        const s = Session.makeWith({}, transport)
        const gzip = yield* s.get(`${url}/gzip`)
        expect(((yield* Response.json(gzip)) as { gzipped: boolean }).gzipped).toBe(true)
        expect(gzip.headers.get("content-encoding")).toBe("gzip")
      }).pipe(Effect.provideService(HttpClient.HttpClient, nodeHttpClient)))

    it.effect("layerTransport: the Transport service streams a body and reports no connections", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const transport = yield* Transport.Transport
        const raw = yield* transport.send(
          { method: "GET", url: `${url}/stream/3`, headers: Headers.Headers.from({ Accept: "application/json" }), body: undefined },
          { stream: true }
        )
        expect(raw.statusCode).toBe(200)
        expect(raw.reason).toBe("OK")
        expect(raw.body.length).toBe(0)
        const chunks = yield* Stream.runCollect(raw.bodyStream!)
        const text = Buffer.concat(Array.from(chunks)).toString("utf8")
        expect(text.trim().split("\n").map((line) => (JSON.parse(line) as { id: number }).id)).toEqual([0, 1, 2])
        expect(transport.stats()).toEqual({ connected: 0, disconnected: 0 })
      }).pipe(Effect.provide(PlatformHttpClient.layerTransport().pipe(Layer.provide(FetchHttpClient.layer)))))

    it.effect("start: the callback form resumes with the response", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const transport = yield* PlatformHttpClient.transport.pipe(Effect.provide(FetchHttpClient.layer))
        const exit = yield* Effect.async<Exit.Exit<Transport.RawResponse, Errors.SendError>>((resume) => {
          transport.start(
            { method: "GET", url: `${url}/status/418`, headers: Headers.Headers.empty, body: undefined },
            {},
            (exit) => resume(Effect.succeed(exit))
          )
        })
        if (!Exit.isSuccess(exit)) throw new Error("expected a response")
        expect(exit.value.statusCode).toBe(418)
      }))
  })
})
