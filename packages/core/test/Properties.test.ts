/**
 * Random inputs, by property: URLs, params, header names and values (CR, LF, NUL, non-ASCII, very
 * long), cookies, bodies and option combinations. Whatever they are, a request either succeeds or
 * fails with a tagged `RequestError` (never a defect, never an untyped failure); what reaches the wire
 * is valid HTTP/1.1 (checked byte by byte on a raw socket); and what is valid round-trips through
 * httpbin's /anything.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Errors, Response, Session } from "@requests-futures/core"
import { type Echo, Httpbin } from "@requests-futures/httpbin"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as net from "node:net"

const numRuns = Number(process.env["PROPERTY_RUNS"] ?? 60)

/**
 * A raw HTTP/1.1 server that keeps the bytes of every request head and body it received, and
 * answers each with an empty 200. What the client put on the wire, unparsed.
 */
interface Wire {
  readonly port: number
  readonly requests: Array<{ readonly head: Buffer; readonly body: Buffer }>
}

const rawServer: Effect.Effect<Wire, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<Wire & { readonly server: net.Server; readonly sockets: Set<net.Socket> }>((resolve) => {
      const requests: Wire["requests"] = []
      const sockets = new Set<net.Socket>()
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => socket.destroy())
        let pending = Buffer.alloc(0)
        socket.on("data", (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk])
          for (;;) {
            const end = pending.indexOf("\r\n\r\n")
            if (end === -1) return
            const head = pending.subarray(0, end)
            const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head.toString("latin1"))?.[1] ?? 0)
            if (pending.length < end + 4 + length) return
            requests.push({ head, body: pending.subarray(end + 4, end + 4 + length) })
            pending = pending.subarray(end + 4 + length)
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
          }
        })
      })
      server.listen(0, "127.0.0.1", () =>
        resolve({ port: (server.address() as net.AddressInfo).port, requests, server, sockets }))
    })
  ),
  ({ server, sockets }) =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
    )
)

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// A field value: visible ASCII, obs-text (0x80-0xff), space and tab; no leading or trailing whitespace.
const fieldValueRe = /^(?:[\x21-\x7e\x80-\xff](?:[\x20\x21-\x7e\x80-\xff\t]*[\x21-\x7e\x80-\xff])?)?$/
// The request target: visible ASCII only (origin form).
const targetRe = /^\/[\x21-\x7e]*$/

/** Why a request head is not valid HTTP/1.1, or `undefined`. */
const wireProblem = (head: Buffer): string | undefined => {
  const text = head.toString("latin1")
  const lines = text.split("\r\n")
  for (const line of lines) if (/[\r\n\0]/.test(line)) return `a bare CR, LF or NUL in ${JSON.stringify(line)}`
  const requestLine = /^([^ ]+) ([^ ]+) HTTP\/1\.1$/.exec(lines[0]!)
  if (requestLine === null) return `bad request line ${JSON.stringify(lines[0])}`
  if (!tokenRe.test(requestLine[1]!)) return `bad method ${JSON.stringify(requestLine[1])}`
  if (!targetRe.test(requestLine[2]!)) return `bad target ${JSON.stringify(requestLine[2])}`
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":")
    if (colon <= 0) return `bad header line ${JSON.stringify(line)}`
    if (!tokenRe.test(line.slice(0, colon))) return `bad header name ${JSON.stringify(line.slice(0, colon))}`
    if (!fieldValueRe.test(line.slice(colon + 1).trim())) return `bad header value ${JSON.stringify(line)}`
  }
  return undefined
}

/** The request's outcome, asserting that a failure is a tagged `RequestError` and nothing else. */
const settle = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.exit(effect), (exit): Exit.Exit<A, Errors.RequestError> => {
    if (Exit.isSuccess(exit)) return exit as Exit.Exit<A, never>
    const failure = Cause.failureOption(exit.cause)
    expect(Cause.isDie(exit.cause), `a defect: ${Cause.pretty(exit.cause)}`).toBe(false)
    expect(Cause.isInterrupted(exit.cause), "interrupted").toBe(false)
    expect(Option.isSome(failure) && Errors.isRequestError(failure.value), `untyped: ${Cause.pretty(exit.cause)}`)
      .toBe(true)
    return exit as unknown as Exit.Exit<never, Errors.RequestError>
  })

const tagOf = (exit: Exit.Exit<unknown, Errors.RequestError>): string =>
  Exit.isSuccess(exit) ? "ok" : Option.getOrThrow(Cause.failureOption(exit.cause))._tag

const echo = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

// Strings with what breaks HTTP: CR, LF, NUL, other controls, non-ASCII, lone surrogates, and length.
const nasty = FastCheck.oneof(
  FastCheck.string({ maxLength: 20 }),
  FastCheck.string16bits({ maxLength: 12 }),
  FastCheck.fullUnicodeString({ maxLength: 12 }),
  FastCheck.array(FastCheck.constantFrom("a", " ", "\t", "\r", "\n", "\r\n", "\0", "\u007f", "é", "€", "😀", ":", ";", "="), {
    maxLength: 10
  }).map((parts) => parts.join("")),
  FastCheck.integer({ min: 1_000, max: 20_000 }).map((n) => "x".repeat(n))
)

const live = Layer.mergeAll(Httpbin.layer(), Session.layer({ timeout: 5_000 }))

// Live services: timeouts, backoffs and sockets run on the real clock.
layer(live, { excludeTestServices: true })("Properties", (it) => {
  describe("headers", () => {
    it.effect.prop(
      "a header name and value are sent as given when valid, else refused with InvalidHeader; the wire stays valid",
      { name: nasty, value: nasty },
      ({ name, value }) =>
        Effect.scoped(Effect.gen(function*() {
          const wire = yield* rawServer
          const session = yield* Session.Session
          const exit = yield* settle(session.get(`http://127.0.0.1:${wire.port}/h`, { headers: { [name]: value } }))
          const valid = tokenRe.test(name) && !/^[ \t]/.test(value) &&
            // eslint-disable-next-line no-control-regex
            !/[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(value)
          expect(tagOf(exit)).toBe(valid ? "ok" : "InvalidHeader")
          for (const request of wire.requests) expect(wireProblem(request.head)).toBeUndefined()
          expect(wire.requests.length).toBe(valid ? 1 : 0)
        })),
      { fastCheck: { numRuns } }
    )

    it.effect.prop(
      "valid header values round-trip through httpbin (trailing whitespace aside)",
      {
        value: FastCheck.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[ \t]/.test(s)),
        name: FastCheck.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/)
      },
      ({ name, value }) =>
        Effect.gen(function*() {
          const { url } = yield* Httpbin
          const session = yield* Session.Session
          const response = yield* session.get(`${url}/anything`, { headers: { [name]: value } })
          const headers = (yield* echo(response)).headers
          const echoed = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]
          expect(echoed).toBe(value.trim())
        }),
      { fastCheck: { numRuns } }
    )
  })

  describe("URLs and params", () => {
    const params = FastCheck.dictionary(
      FastCheck.oneof(FastCheck.string({ minLength: 1, maxLength: 8 }), FastCheck.fullUnicodeString({ minLength: 1, maxLength: 6 })),
      FastCheck.oneof(
        FastCheck.string({ maxLength: 10 }),
        FastCheck.fullUnicodeString({ maxLength: 8 }),
        FastCheck.integer(),
        FastCheck.boolean()
      ),
      { maxKeys: 5 }
    )

    it.effect.prop(
      "params round-trip through httpbin's args; the URL on the wire is ASCII",
      { params },
      ({ params }) =>
        Effect.gen(function*() {
          const { url } = yield* Httpbin
          const session = yield* Session.Session
          const response = yield* session.get(`${url}/anything`, { params })
          const expected = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))
          expect((yield* echo(response)).args).toEqual(expected)
          expect(response.url).toMatch(/^[\x21-\x7e]+$/)
        }),
      { fastCheck: { numRuns } }
    )

    it.effect.prop(
      "any path, query and fragment after a good authority is sent as valid bytes or refused as a typed error",
      {
        rest: FastCheck.tuple(FastCheck.constantFrom("/", "?", "#", "/a?", "/%"), nasty).map(([lead, tail]) => lead + tail)
      },
      ({ rest }) =>
        Effect.scoped(Effect.gen(function*() {
          const wire = yield* rawServer
          const session = yield* Session.Session
          const exit = yield* settle(session.get(`http://127.0.0.1:${wire.port}${rest}`))
          expect(["ok", "InvalidUrl"]).toContain(tagOf(exit))
          for (const request of wire.requests) expect(wireProblem(request.head)).toBeUndefined()
        })),
      { fastCheck: { numRuns } }
    )

    it.effect.prop(
      "any string as a URL is a response or a typed error (no scheme, another scheme, no host, bad host)",
      {
        url: FastCheck.oneof(
          nasty,
          FastCheck.tuple(FastCheck.constantFrom("http:", "https:", "ftp:", "HTTP://", "http:/", "http://", "//", "mailto:"), nasty)
            .map(([a, b]) => a + b)
            // no DNS: a host other than ours would be looked up
            .filter((u) => !/^(?:https?:)?\/\/[^/?#\s]/i.test(u.trim()))
        )
      },
      ({ url }) =>
        Effect.gen(function*() {
          const session = yield* Session.Session
          const exit = yield* settle(session.get(url, { timeout: 1_000 }))
          expect(tagOf(exit)).not.toBe("ok")
        }),
      { fastCheck: { numRuns } }
    )
  })

  describe("cookies and bodies", () => {
    it.effect.prop(
      "request cookies are sent (valid) or refused with InvalidHeader; the Cookie on the wire is valid",
      { cookies: FastCheck.dictionary(nasty, nasty, { maxKeys: 3 }) },
      ({ cookies }) =>
        Effect.scoped(Effect.gen(function*() {
          const wire = yield* rawServer
          const session = yield* Session.Session
          const exit = yield* settle(session.get(`http://127.0.0.1:${wire.port}/c`, { cookies }))
          expect(["ok", "InvalidHeader"]).toContain(tagOf(exit))
          for (const request of wire.requests) expect(wireProblem(request.head)).toBeUndefined()
        })),
      { fastCheck: { numRuns } }
    )

    it.effect.prop(
      "bodies round-trip: a string as data, bytes, JSON values, form fields",
      {
        text: FastCheck.fullUnicodeString({ maxLength: 200 }),
        bytes: FastCheck.uint8Array({ maxLength: 300 }),
        json: FastCheck.jsonValue({ maxDepth: 3 }),
        form: FastCheck.dictionary(FastCheck.string({ minLength: 1, maxLength: 6 }), FastCheck.fullUnicodeString({ maxLength: 10 }), {
          maxKeys: 4
        })
      },
      ({ bytes, form, json, text }) =>
        Effect.gen(function*() {
          const { url } = yield* Httpbin
          const session = yield* Session.Session
          const asText = yield* echo(yield* session.post(`${url}/anything`, { data: text }))
          expect(asText.data).toBe(text)
          const asBytes = yield* session.put(`${url}/anything`, { data: bytes })
          expect(asBytes.request.body ?? new Uint8Array(0)).toEqual(bytes)
          expect((yield* echo(asBytes)).headers["Content-Length"]).toBe(String(bytes.byteLength))
          const asJson = yield* echo(yield* session.post(`${url}/anything`, { json }))
          expect(asJson.json).toEqual(JSON.parse(JSON.stringify(json)))
          const asForm = yield* echo(yield* session.patch(`${url}/anything`, { data: form }))
          expect(asForm.form).toEqual(form)
        }),
      { fastCheck: { numRuns: 40 } }
    )
  })

  describe("option combinations", () => {
    const junk = FastCheck.oneof(
      FastCheck.constantFrom(undefined, null, -1, 0, 1.5, Number.NaN, Infinity, true, false, "", "x", {}, [], [0], [[1, 2]]),
      FastCheck.anything({ maxDepth: 2, withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
      FastCheck.tuple(nasty, nasty),
      FastCheck.dictionary(nasty, nasty, { maxKeys: 2 })
    )
    const optionNames = [
      "params",
      "data",
      "json",
      "files",
      "headers",
      "cookies",
      "auth",
      "timeout",
      "allowRedirects",
      "allowDowngrade",
      "hooks",
      "stream",
      "maxRedirects",
      "retry",
      "tracing",
      "signal"
    ] as const
    it.effect.prop(
      "one option of any type (the others valid) ends in a response or a typed error",
      { option: FastCheck.constantFrom(...optionNames), value: junk, method: FastCheck.constantFrom("GET", "POST", "HEAD") },
      ({ method, option, value }) =>
        Effect.gen(function*() {
          const { url } = yield* Httpbin
          const session = yield* Session.Session
          const retryLimited = option === "retry" && typeof value === "number" && value > 2 ? 2 : value
          yield* settle(
            Effect.flatMap(
              session.request({ method, url: `${url}/anything`, [option]: retryLimited } as unknown as Parameters<Session.Session["request"]>[0]),
              Response.readBody
            )
          )
        }),
      { fastCheck: { numRuns: numRuns * 3 } }
    )

    const anyValue = FastCheck.oneof(
      FastCheck.constant(undefined),
      FastCheck.constant(null),
      FastCheck.integer({ min: -5, max: 5 }),
      FastCheck.double(),
      FastCheck.boolean(),
      FastCheck.string({ maxLength: 5 }),
      FastCheck.constant({}),
      FastCheck.constant([])
    )
    it.effect.prop(
      "any mix of options, of any type, ends in a response or a typed error",
      {
        method: FastCheck.oneof(FastCheck.constantFrom("GET", "post", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "PURGE"), nasty),
        path: FastCheck.constantFrom("/anything", "/redirect/2", "/status/503", "/absolute-redirect/1", "/gzip", "/stream/3"),
        timeout: FastCheck.oneof(anyValue, FastCheck.record({ connect: anyValue, read: anyValue })),
        maxRedirects: anyValue,
        allowRedirects: anyValue,
        allowDowngrade: anyValue,
        stream: anyValue,
        retry: FastCheck.oneof(
          FastCheck.constantFrom(undefined, null, -1, 0, 1, 0.5, Number.NaN, Infinity, "x", {}, []),
          FastCheck.record({ limit: FastCheck.integer({ min: -1, max: 2 }), backoff: FastCheck.integer({ min: -1, max: 2 }) })
        ),
        params: FastCheck.oneof(anyValue, FastCheck.dictionary(FastCheck.string({ maxLength: 3 }), anyValue, { maxKeys: 2 })),
        headers: FastCheck.oneof(anyValue, FastCheck.dictionary(nasty, anyValue, { maxKeys: 2 })),
        cookies: FastCheck.oneof(anyValue, FastCheck.dictionary(nasty, anyValue, { maxKeys: 2 })),
        auth: FastCheck.oneof(anyValue, FastCheck.tuple(nasty, nasty), FastCheck.tuple(anyValue, anyValue)),
        data: FastCheck.oneof(anyValue, FastCheck.dictionary(nasty, anyValue, { maxKeys: 2 })),
        json: FastCheck.oneof(anyValue, FastCheck.anything({ maxDepth: 2, withBigInt: true, withMap: true })),
        files: FastCheck.oneof(anyValue, FastCheck.dictionary(nasty, anyValue, { maxKeys: 2 })),
        hooks: FastCheck.oneof(anyValue, FastCheck.record({ response: anyValue })),
        signal: anyValue
      },
      (options) =>
        Effect.gen(function*() {
          const { url } = yield* Httpbin
          const session = yield* Session.Session
          const { method, path, ...rest } = options
          const exit = yield* settle(
            Effect.flatMap(
              // Values of the wrong type on purpose: what a JavaScript caller may pass.
              session.request({ method, url: `${url}${path}`, ...(rest as object) }),
              Response.readBody
            )
          )
          if (Exit.isSuccess(exit)) expect(exit.value.statusCode).toBeGreaterThanOrEqual(200)
        }),
      { fastCheck: { numRuns } }
    )
  })
})

describe("session settings", () => {
  const anyValue = FastCheck.oneof(
    FastCheck.constantFrom(undefined, null, -1, 0, 1.5, Number.NaN, Infinity, true, false, "", "x", {}, []),
    FastCheck.anything({ maxDepth: 1 })
  )
  layer(Httpbin.layer(), { excludeTestServices: true })("Properties of sessions", (it) => {
    it.effect.prop(
      "any session settings, of any type, make a session that answers (or fails typed), or an InvalidOption",
      {
        config: FastCheck.record({
          headers: anyValue,
          params: anyValue,
          auth: anyValue,
          cookies: anyValue,
          timeout: anyValue,
          maxRedirects: anyValue,
          allowDowngrade: anyValue,
          hooks: anyValue,
          stream: anyValue,
          retry: FastCheck.constantFrom(undefined, null, 0, -1, "x", {}, { limit: 0 }, { limit: Infinity }, { limit: 1, methods: "GET" }),
          tracing: anyValue,
          connections: FastCheck.constantFrom(undefined, 1, 4),
          trustEnv: FastCheck.constant(false)
        }, { requiredKeys: [] })
      },
      ({ config }) =>
        Effect.scoped(Effect.gen(function*() {
          const { url } = yield* Httpbin
          const made = yield* Effect.exit(Session.make(config as Session.SessionConfig))
          if (Exit.isFailure(made)) {
            expect(Option.getOrThrow(Cause.failureOption(made.cause))._tag).toBe("InvalidOption")
            return
          }
          yield* settle(Effect.flatMap(made.value.get(`${url}/get`), Response.readBody))
        })),
      { fastCheck: { numRuns } }
    )
  })
})

describe("regressions: counterexamples the properties found (each was a defect, a TypeError)", () => {
  const invalidOption = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.map(Effect.flip(effect), (error) => {
      expect((error as { readonly _tag: string })._tag).toBe("InvalidOption")
      return error as Errors.InvalidOption
    })

  layer(Httpbin.layer(), { excludeTestServices: true })((it) => {
    it.scoped("session settings: headers [0], auth Infinity, retry null, cookies null or { \"\": \"\" }", () =>
      Effect.gen(function*() {
        const headers = yield* invalidOption(Session.make({ headers: [0] } as unknown as Session.SessionConfig))
        expect(headers.option).toBe("headers[0]")
        const auth = yield* invalidOption(Session.make({ auth: Infinity } as unknown as Session.SessionConfig))
        expect(auth.message).toContain("auth is a [username, password] pair")
        const retry = yield* invalidOption(Session.make({ retry: null } as unknown as Session.SessionConfig))
        expect(retry.option).toBe("retry")
        expect((yield* invalidOption(Session.make({ cookies: null } as unknown as Session.SessionConfig))).option).toBe("cookies")
        const cookies = yield* invalidOption(Session.make({ cookies: { "": "" } }))
        expect(cookies.option).toBe("cookies")
        expect(cookies.message).toContain("invalid cookie name")
      }))

    it.scoped("request options: files [false], data [0], auth 5, headers [[\"X\", 1]], retry null", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const request = (options: object) =>
          session.request({ method: "POST", url: `${url}/anything`, ...options } as unknown as Parameters<Session.Session["request"]>[0])
        expect((yield* invalidOption(request({ files: [false] }))).option).toBe("files[0]")
        expect((yield* invalidOption(request({ files: { f: { content: 1 } } }))).option).toBe("files.f.content")
        expect((yield* invalidOption(request({ data: [0] }))).option).toBe("data[0]")
        expect((yield* invalidOption(request({ data: 5 }))).option).toBe("data")
        expect((yield* invalidOption(request({ auth: 5 }))).option).toBe("auth")
        expect((yield* invalidOption(request({ auth: ["ada"] }))).option).toBe("auth")
        expect((yield* invalidOption(request({ headers: [["X", 1]] }))).option).toBe("headers[0]")
        expect((yield* invalidOption(request({ retry: null }))).option).toBe("retry")
        expect((yield* invalidOption(request({ retry: { limit: Infinity } }))).option).toBe("retry.limit")
        expect((yield* invalidOption(request({ retry: { limit: 1, methods: "GET" } }))).option).toBe("retry.methods")
        // the valid shapes still go through
        const ok = yield* request({ files: [["f", { content: "x", filename: "a.txt" }]], data: [["k", "v"]], auth: ["a", "b"] })
        expect(ok.statusCode).toBe(200)
      }))
  })
})
