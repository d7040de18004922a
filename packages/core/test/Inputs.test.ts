import { describe, expect, it, layer } from "@effect/vitest"
import { Errors, FuturesSession, Request, Response, Session } from "@requests-futures/core"
import { type Echo, Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { freePort } from "./helpers.js"

const echo = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

/** The InvalidOption a request (or a session's construction) failed with. */
const invalidOption = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => {
    expect(error).toBeInstanceOf(Errors.InvalidOption)
    return error as Errors.InvalidOption
  })

/** Runs `f` and collects the process warnings it causes (a TimeoutOverflowWarning among them). */
const collectingWarnings = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const warnings: Array<string> = []
      const listener = (warning: Error) => warnings.push(warning.name)
      process.on("warning", listener)
      return { warnings, listener }
    }),
    ({ warnings }) => Effect.map(effect, (value) => ({ value, warnings })),
    ({ listener }) =>
      // Warnings are emitted on the next tick.
      Effect.promise(() => new Promise((resolve) => setImmediate(resolve))).pipe(
        Effect.andThen(Effect.sync(() => process.off("warning", listener)))
      )
  )

layer(Layer.merge(Httpbin.layer(), Session.layer()))("checked inputs", (it) => {
  describe("the URL", () => {
    it.effect("may be a URL object, on every method", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const got = yield* session.get(new URL(`${url}/get?a=1`), { params: { b: 2 } })
        expect((yield* echo(got)).args).toEqual({ a: "1", b: "2" })
        expect(got.url).toBe(`${url}/get?a=1&b=2`)
        const posted = yield* Session.post(new URL(`${url}/post`), { json: { n: 1 } })
        expect((yield* echo(posted)).json).toEqual({ n: 1 })
        const put = yield* session.request({ method: "PUT", url: new URL(`${url}/put`) })
        expect(put.statusCode).toBe(200)
      }))

    it.effect("that is undefined, a number or an object is InvalidUrl, not a TypeError", () =>
      Effect.gen(function*() {
        const session = yield* Session.Session
        for (const given of [undefined, 42, {}, null]) {
          const error = yield* Effect.flip(session.get(given as unknown as string))
          expect(error._tag).toBe("InvalidUrl")
          expect(error.message).toMatch(/a URL is a string or a URL object/)
          expect(error.message).not.toMatch(/trim/)
        }
        const number = yield* Effect.flip(session.get(42 as unknown as string))
        expect(number.message).toContain("not number")
      }))
  })

  describe("timeout", () => {
    it.effect("Infinity, null and values above 2^31-1 ms mean no timeout, with no TimeoutOverflowWarning", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const { value: statuses, warnings } = yield* collectingWarnings(
          Effect.forEach(
            [Infinity, null, 2 ** 31, { connect: Infinity, read: Infinity }, { connect: null, read: 2 ** 40 }],
            (timeout) => Effect.map(session.get(`${url}/delay/0.2`, { timeout }), (r) => r.statusCode)
          )
        )
        expect(statuses).toEqual([200, 200, 200, 200, 200])
        expect(warnings).not.toContain("TimeoutOverflowWarning")
      }))

    it.effect("a session timeout of Infinity or null is none; a request's null or Infinity replaces the session's", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const unbounded = yield* Session.make({ timeout: Infinity })
        expect((yield* unbounded.get(`${url}/delay/0.2`)).statusCode).toBe(200)
        const none = yield* Session.make({ timeout: null })
        expect(none.defaults().timeout).toBeUndefined()
        const strict = yield* Session.make({ timeout: 100 })
        expect((yield* Effect.flip(strict.get(`${url}/delay/0.4`)))._tag).toBe("ReadTimeout")
        expect((yield* strict.get(`${url}/delay/0.4`, { timeout: null })).statusCode).toBe(200)
        expect((yield* strict.get(`${url}/delay/0.4`, { timeout: Infinity })).statusCode).toBe(200)
        // The finite part still counts.
        const error = yield* Effect.flip(strict.get(`${url}/delay/1`, { timeout: { connect: Infinity, read: 100 } }))
        expect(error._tag).toBe("ReadTimeout")
      }).pipe(Effect.scoped))

    it.effect("a negative number, NaN, a string or an unknown key is InvalidOption naming the value", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const get = (timeout: unknown) => session.get(`${url}/get`, { timeout: timeout as number })
        const negative = yield* invalidOption(get(-1))
        expect(negative).toMatchObject({ option: "timeout", value: -1, method: "GET", url: `${url}/get` })
        expect(negative.message).toContain(`GET ${url}/get: invalid timeout -1`)
        expect((yield* invalidOption(get(NaN))).message).toContain("invalid timeout NaN")
        expect((yield* invalidOption(get("100"))).message).toContain(`invalid timeout "100"`)
        const key = yield* invalidOption(get({ conect: 100 }))
        expect(key).toMatchObject({ option: "timeout.conect", value: 100 })
        expect((yield* invalidOption(get({ read: -5 })))).toMatchObject({ option: "timeout.read", value: -5 })
      }))

    it.effect("a session's bad timeout fails Session.make and FuturesSession.make, before anything is opened", () =>
      Effect.gen(function*() {
        const made = yield* invalidOption(Session.make({ timeout: -1 }))
        expect(made).toMatchObject({ option: "timeout", value: -1 })
        expect(made.message).toBe(
          "Session option: invalid timeout -1: a timeout is a number of milliseconds >= 0, or Infinity or null for none"
        )
        const futures = yield* invalidOption(FuturesSession.make({ timeout: { connect: NaN } }))
        expect(futures.option).toBe("timeout.connect")
        const layered = yield* invalidOption(Layer.build(Session.layer({ maxRedirects: -1 })))
        expect(layered.option).toBe("maxRedirects")
      }).pipe(Effect.scoped))

    it.effect("a session made with makeWith and a bad timeout refuses each request with InvalidOption", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const base = yield* Session.Session
        const session = Session.makeWith({ timeout: -5 }, base.transport)
        const error = yield* invalidOption(session.get(`${url}/get`))
        expect(error).toMatchObject({ option: "timeout", value: -5, method: "GET" })
        session.updateDefaults((d) => ({ ...d, timeout: 5_000 }))
        expect((yield* session.get(`${url}/get`)).statusCode).toBe(200)
      }))
  })

  describe("maxRedirects, method and params", () => {
    it.effect("a negative or fractional maxRedirects is InvalidOption, for the request and the session", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const negative = yield* invalidOption(session.get(`${url}/redirect/1`, { maxRedirects: -1 }))
        expect(negative).toMatchObject({ option: "maxRedirects", value: -1 })
        const fraction = yield* invalidOption(session.get(`${url}/redirect/1`, { maxRedirects: 1.5 }))
        expect(fraction.message).toContain("invalid maxRedirects 1.5: the most redirects to follow is an integer >= 0")
        expect((yield* invalidOption(Session.make({ maxRedirects: NaN }))).value).toBeNaN()
        // 0 is a valid limit: the first redirect is too many.
        expect((yield* Effect.flip(session.get(`${url}/redirect/1`, { maxRedirects: 0 })))._tag).toBe("TooManyRedirects")
      }).pipe(Effect.scoped))

    it.effect("a method that is not an HTTP token is InvalidOption; nothing reaches the server", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const session = yield* Session.Session
        const before = server.requests().length
        for (const method of ["FOO BAR", "", "GET\r\nX: y"]) {
          const error = yield* invalidOption(session.request({ method, url: `${server.url}/anything` }))
          expect(error).toMatchObject({ option: "method", value: method, url: `${server.url}/anything` })
          expect(error.message).toContain("a method is a non-empty HTTP token")
        }
        expect(server.requests().length).toBe(before)
        // A lower-case or custom token is a method.
        const custom = yield* session.request({ method: "purge", url: `${server.url}/anything` })
        expect((yield* echo(custom)).method).toBe("PURGE")
      }))

    it.effect("a params value that is an object is InvalidOption naming the key, never a raw TypeError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const bad = (params: unknown) => session.get(`${url}/get`, { params: params as Request.Params })
        expect(yield* invalidOption(bad({ q: { nested: 1 } }))).toMatchObject({ option: "params.q" })
        expect(yield* invalidOption(bad({ q: ["a", { b: 1 }] }))).toMatchObject({ option: "params.q" })
        expect(yield* invalidOption(bad([["k", new Date(0)]]))).toMatchObject({ option: "params.k" })
        expect((yield* invalidOption(bad({ q: { nested: 1 } }))).message).toContain("invalid params.q (an object)")
        expect(yield* invalidOption(Session.make({ params: { key: [[1]] } as unknown as Request.Params })))
          .toMatchObject({ option: "params.key" })
        // What is valid still goes through.
        const fine = yield* session.get(`${url}/get`, { params: { a: [1, true, null], b: undefined } })
        expect((yield* echo(fine)).args).toEqual({ a: ["1", "true"] })
      }).pipe(Effect.scoped))
  })

  describe("headers", () => {
    it.effect("a request header set to null removes the session's, as requests' None", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ headers: { "X-Client": "docs", "User-Agent": null } })
        const sessionHeaders = (yield* echo(yield* session.get(`${url}/headers`))).headers
        expect(sessionHeaders["X-Client"]).toBe("docs")
        expect(sessionHeaders["User-Agent"]).toBeUndefined()
        const response = yield* session.get(`${url}/headers`, { headers: { "X-Client": null, Accept: null } })
        const sent = (yield* echo(response)).headers
        expect(sent["X-Client"]).toBeUndefined()
        expect(sent["Accept"]).toBeUndefined()
        expect(sent["Accept-Encoding"]).toBe("gzip, deflate, br")
      }).pipe(Effect.scoped))

    it.effect("a header value that is an object is InvalidOption naming the header", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const error = yield* invalidOption(
          session.get(`${url}/headers`, { headers: { "X-Bad": { a: 1 } as unknown as string } })
        )
        expect(error).toMatchObject({ option: "headers.X-Bad" })
      }))
  })

  describe("credentials in the URL", () => {
    it.effect("are sent as Basic auth and stripped from the URL on the wire, response.url and request.url", () =>
      Effect.gen(function*() {
        const { port, url } = yield* Httpbin
        const session = yield* Session.Session
        const response = yield* session.get(`http://user:pass@127.0.0.1:${port}/basic-auth/user/pass`)
        expect(response.statusCode).toBe(200)
        expect(yield* Response.json(response)).toEqual({ authenticated: true, user: "user" })
        expect(response.url).toBe(`${url}/basic-auth/user/pass`)
        expect(response.request.url).toBe(`${url}/basic-auth/user/pass`)
        // A URL object too.
        const fromUrl = yield* session.get(new URL(`http://user:pass@127.0.0.1:${port}/basic-auth/user/pass`))
        expect(fromUrl.statusCode).toBe(200)
        expect(fromUrl.url).not.toContain("pass@")
      }))

    it.effect("are percent-decoded; an explicit auth (the request's, the session's, null) wins", () =>
      Effect.gen(function*() {
        const { port } = yield* Httpbin
        const session = yield* Session.Session
        const at = `http://ad%20a:p%40ss%3Aw@127.0.0.1:${port}`
        const sent = (yield* echo(yield* session.get(`${at}/headers`))).headers
        expect(sent["Authorization"]).toBe(basic("ad a", "p@ss:w"))
        const explicit = yield* session.get(`http://user:pass@127.0.0.1:${port}/basic-auth/user/pass`, {
          auth: ["user", "wrong"]
        })
        expect(explicit.statusCode).toBe(401)
        const none = yield* session.get(`http://user:pass@127.0.0.1:${port}/basic-auth/user/pass`, { auth: null })
        expect(none.statusCode).toBe(401)
        const withSessionAuth = yield* Session.make({ auth: ["other", "x"] })
        const bySession = (yield* echo(yield* withSessionAuth.get(`${at}/headers`))).headers
        expect(bySession["Authorization"]).toBe(basic("other", "x"))
      }).pipe(Effect.scoped))

    it.effect("never show the password: a refused connection's error names the URL without it", () =>
      Effect.gen(function*() {
        const port = yield* freePort
        const session = yield* Session.Session
        const error = yield* Effect.flip(session.get(`http://user:secret@127.0.0.1:${port}/x`))
        expect(error._tag).toBe("ConnectionError")
        expect(error.message).toContain(`127.0.0.1:${port}/x`)
        expect(error.message).not.toContain("secret")
        expect(String(error)).not.toContain("secret")
        expect(JSON.stringify(error)).not.toContain("secret")
        expect((error as Errors.ConnectionError).url).toBe(`http://127.0.0.1:${port}/x`)
      }))

    it.effect("never show the password in an error about the URL or an option: it is redacted", () =>
      Effect.gen(function*() {
        const session = yield* Session.Session
        const unparsable = yield* Effect.flip(session.get("http://user:secret@127.0.0.1:99999/"))
        expect(unparsable._tag).toBe("InvalidUrl")
        expect(unparsable.message).not.toContain("secret")
        const schemeless = yield* Effect.flip(session.get("user:secret@example.com/x"))
        expect(schemeless.message).toContain("user:***@example.com/x")
        expect(schemeless.message).not.toContain("secret")
        const option = yield* invalidOption(session.get("http://user:secret@example.com/", { timeout: -1 }))
        expect(option.url).toBe("http://user:***@example.com/")
        expect(option.message).not.toContain("secret")
        const method = yield* invalidOption(session.request({ method: "A B", url: "http://u:secret@example.com/" }))
        expect(method.message).not.toContain("secret")
      }))

    it("redactUrl replaces the password with *** and leaves other URLs alone", () => {
      expect(Request.redactUrl("http://user:pass@host/p?q=a@b")).toBe("http://user:***@host/p?q=a@b")
      expect(Request.redactUrl("https://u:p@ss@host:8080/")).toBe("https://u:***@host:8080/")
      expect(Request.redactUrl(new URL("http://user:pass@host/"))).toBe("http://user:***@host/")
      expect(Request.redactUrl("http://user@host/")).toBe("http://user@host/")
      expect(Request.redactUrl("http://host/a@b")).toBe("http://host/a@b")
      expect(Request.redactUrl("user:pass@host/x")).toBe("user:***@host/x")
      expect(Request.redactUrl("mailto:someone@example.com")).toBe("mailto:someone@example.com")
    })
  })
})

describe("FuturesSession", () => {
  it.effect("takes a URL object, and fails a future with InvalidUrl or InvalidOption", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const session = yield* FuturesSession.make()
      const future = yield* session.get(new URL(`${url}/get?x=1`))
      expect((yield* echo(yield* future.result())).args).toEqual({ x: "1" })
      const noUrl = yield* session.get(undefined as unknown as string)
      expect((yield* Effect.flip(noUrl.result()))._tag).toBe("InvalidUrl")
      const badTimeout = yield* session.get(`${url}/get`, { timeout: -1 })
      expect((yield* Effect.flip(badTimeout.result()))._tag).toBe("InvalidOption")
    }).pipe(Effect.scoped, Effect.provide(Httpbin.layer())))
})
