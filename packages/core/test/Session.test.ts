import { describe, expect, it, layer } from "@effect/vitest"
import { Auth, Cookies, Errors, Response, Session } from "@requests-futures/core"
import { type Echo as HttpbinEcho, Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestServices from "effect/TestServices"
import { inspect } from "node:util"
import { freePort } from "./helpers.js"

/** The echo JSON httpbin sends back; /cookies sends `cookies`. */
type Echo = HttpbinEcho & { readonly cookies?: Record<string, string> }

const echo = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

/** The same server under another origin: cookies and credentials must not cross over. */
const otherOrigin = (url: string) => url.replace("127.0.0.1", "localhost")


layer(Layer.merge(Httpbin.layer(), Session.layer()))("Session", (it) => {
  describe("request options", () => {
    it.effect("sends params from a record, repeating arrays, dropping undefined, after the URL's own query", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.Session
        const response = yield* session.get(`${url}/get?a=1`, { params: { b: "two words", c: ["x", "y"], d: undefined } })
        const body = yield* echo(response)
        expect(body.args).toEqual({ a: "1", b: "two words", c: ["x", "y"] })
        expect(response.url).toBe(`${url}/get?a=1&b=two+words&c=x&c=y`)
      }))

    it.effect("sends params from pairs", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/get`, { params: [["k", "1"], ["k", "2"]] })
        expect((yield* echo(response)).args).toEqual({ k: ["1", "2"] })
      }))

    it.effect("sends data as a url-encoded form", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.post(`${url}/post`, { data: { name: "Ada", langs: ["en", "fr"] } })
        const body = yield* echo(response)
        expect(body.form).toEqual({ name: "Ada", langs: ["en", "fr"] })
        expect(body.headers["Content-Type"]).toBe("application/x-www-form-urlencoded")
      }))

    it.effect("sends a string or bytes body as is", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const text = yield* echo(yield* Session.put(`${url}/put`, { data: "plain text" }))
        expect(text.data).toBe("plain text")
        const bytes = yield* echo(yield* Session.patch(`${url}/patch`, { data: new TextEncoder().encode("bytes") }))
        expect(bytes.data).toBe("bytes")
      }))

    it.effect("sends json with its content type", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const body = yield* echo(yield* Session.post(`${url}/post`, { json: { a: [1, 2], b: null } }))
        expect(body.json).toEqual({ a: [1, 2], b: null })
        expect(body.headers["Content-Type"]).toBe("application/json")
      }))

    it.effect("a value JSON cannot encode fails with InvalidBody before anything is sent", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.post(`${url}/post`, { json: { n: 1n } }))
        expect(error._tag).toBe("InvalidBody")
      }))

    it.effect("sends files as multipart, mixed with data fields", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const body = yield* echo(
          yield* Session.post(`${url}/post`, {
            data: { title: "report" },
            files: {
              raw: new TextEncoder().encode("raw bytes"),
              blob: new Blob(["from a blob"]),
              described: { filename: "notes.txt", content: "described content", contentType: "text/plain" }
            }
          })
        )
        expect(body.form).toEqual({ title: "report" })
        expect(body.files).toEqual({ raw: "raw bytes", blob: "from a blob", described: "described content" })
        expect(body.headers["Content-Type"]).toMatch(/^multipart\/form-data; boundary=/)
      }))

    it.effect("sends requests' default headers and no tracing headers", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/headers`)
        const { headers } = yield* echo(response)
        expect(headers["User-Agent"]).toMatch(/^requests-futures-ts\/\d+\.\d+\.\d+/)
        expect(headers["Accept-Encoding"]).toBe("gzip, deflate, br")
        expect(headers["Accept"]).toBe("*/*")
        expect(headers["Traceparent"]).toBeUndefined()
        expect(headers["B3"]).toBeUndefined()
        expect(response.request.headers.get("user-agent")).toBe(headers["User-Agent"])
      }))

    it.scoped("merges request headers over session headers; undefined removes one", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ headers: { "X-Session": "s", "X-Both": "session", "X-Gone": "g" } })
        const { headers } = yield* echo(
          yield* session.get(`${url}/headers`, { headers: { "X-Both": "request", "X-Gone": undefined } })
        )
        expect(headers["X-Session"]).toBe("s")
        expect(headers["X-Both"]).toBe("request")
        expect(headers["X-Gone"]).toBeUndefined()
      }))

    it.scoped("tracing: true sends a W3C traceparent from the request span", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ tracing: true })
        const response = yield* session.get(`${url}/headers`).pipe(Effect.withSpan("outer"))
        const { headers } = yield* echo(response)
        expect(headers["Traceparent"]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
        // A request span is made even without a parent: a trace of its own.
        const rooted = yield* echo(yield* session.get(`${url}/headers`))
        expect(rooted.headers["Traceparent"]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
      }))

    it.scoped("the session's maxRedirects applies to every request", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ maxRedirects: 2 })
        expect((yield* session.get(`${url}/redirect/2`)).history).toHaveLength(2)
        const error = yield* Effect.flip(session.get(`${url}/redirect/3`))
        expect(error._tag).toBe("TooManyRedirects")
      }))

    it.scoped("merges session params with request params", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ params: { a: "session", b: "session" } })
        const { args } = yield* echo(yield* session.get(`${url}/get`, { params: { b: "request" } }))
        expect(args).toEqual({ a: "session", b: "request" })
      }))

    it.effect("a header with CR/LF fails with InvalidHeader and nothing reaches the server", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const before = server.requests().length
        const error = yield* Effect.flip(
          Session.get(`${server.url}/get`, { headers: { "X-Evil": "a\r\nInjected: yes" } })
        )
        expect(error._tag).toBe("InvalidHeader")
        expect(error.message).toContain("X-Evil")
        const badName = yield* Effect.flip(Session.get(`${server.url}/get`, { headers: { "Bad Name": "x" } }))
        expect(badName._tag).toBe("InvalidHeader")
        expect(server.requests().length).toBe(before)
      }))

    it.effect("HEAD does not follow redirects by default; allowRedirects: false returns the 3xx", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const head = yield* Session.head(`${url}/redirect/1`)
        expect(head.statusCode).toBe(302)
        const get = yield* Session.get(`${url}/redirect/2`, { allowRedirects: false })
        expect(get.statusCode).toBe(302)
        expect(get.history).toHaveLength(0)
        expect(get.isRedirect).toBe(true)
      }))

    it.effect("runs session hooks then request hooks, in the worker, and a returned response replaces", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const seen: Array<string> = []
        const session = yield* Session.make({ hooks: { response: () => void seen.push("session") } })
        const response = yield* session.get(`${url}/get`, {
          hooks: {
            response: [
              (r) => {
                seen.push("request")
                return r.copy({ reason: "Replaced" })
              },
              (r) => Effect.sync(() => void seen.push(`effect:${r.reason}`))
            ]
          }
        })
        expect(seen).toEqual(["session", "request", "effect:Replaced"])
        expect(response.reason).toBe("Replaced")
      }).pipe(Effect.scoped))

    it.effect("a throwing hook fails the request with HookError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(
          Session.get(`${url}/get`, {
            hooks: {
              response: () => {
                throw new Error("hook broke")
              }
            }
          })
        )
        expect(error._tag).toBe("HookError")
        expect(error.message).toContain("hook broke")
      }))

    it.effect("stream: true leaves the body on the wire until read", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/stream-bytes/5000?chunk_size=100&seed=1`, { stream: true })
        expect(response.content.byteLength).toBe(0)
        const chunks = yield* Stream.runCollect(Response.iterContent(response))
        const total = Array.from(chunks).reduce((n, c) => n + c.byteLength, 0)
        expect(total).toBe(5000)
      }))

    it.effect("close releases a streamed response's connection without reading the rest", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const response = yield* Session.get(`${server.url}/fault/stall-body/300?chunks=20`, {
          stream: true,
          headers: { "X-Track-Id": "close-stream" }
        })
        yield* Response.close(response)
        const closed = yield* Effect.promise(() => server.waitForClientClose("close-stream", 2000))
        expect(closed).toBe(true)
      }))

    it.effect("readBody reads and decodes a streamed body", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/gzip`, { stream: true })
        const read = yield* Response.readBody(response)
        const body = (yield* Response.json(read)) as { gzipped: boolean }
        expect(body.gzipped).toBe(true)
      }))
  })

  describe("redirects", () => {
    it.effect("records each hop in history", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/redirect/3`)
        expect(response.statusCode).toBe(200)
        expect(response.url).toBe(`${url}/get`)
        expect(response.history.map((r) => r.statusCode)).toEqual([302, 302, 302])
        expect(response.history[0]!.url).toBe(`${url}/redirect/3`)
      }))

    it.effect("resolves a relative Location against the current URL", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/relative-redirect/2`)
        expect(response.url).toBe(`${url}/get`)
        expect(response.history).toHaveLength(2)
        const absolute = yield* Session.get(`${url}/absolute-redirect/2`)
        expect(absolute.url).toBe(`${url}/get`)
      }))

    it.effect("302 turns POST into GET and drops the body; 303 too", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        for (const status of [301, 302, 303]) {
          const response = yield* Session.post(`${url}/redirect-to`, {
            params: { url: "/anything", status_code: status },
            data: { secret: "body" }
          })
          const body = yield* echo(response)
          expect(body.method).toBe("GET")
          expect(body.form).toEqual({})
          expect(body.headers["Content-Type"]).toBeUndefined()
        }
      }))

    it.effect("307 and 308 keep the method and the body on the same origin", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        for (const status of [307, 308]) {
          const response = yield* Session.post(`${url}/redirect-to`, {
            params: { url: "/anything", status_code: status },
            json: { kept: true }
          })
          const body = yield* echo(response)
          expect(body.method).toBe("POST")
          expect(body.json).toEqual({ kept: true })
        }
      }))

    it.effect("drops Authorization and Cookie when the origin changes, and does not carry a 307 body", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const target = `${otherOrigin(url)}/anything`
        const response = yield* Session.post(`${url}/redirect-to`, {
          params: { url: target, status_code: 307 },
          json: { secret: true },
          auth: ["user", "pass"],
          headers: { "X-Kept": "yes" },
          cookies: { session: "abc" }
        })
        const body = yield* echo(response)
        expect(response.url).toBe(target)
        expect(body.method).toBe("POST")
        expect(body.json).toBeNull()
        expect(body.data).toBe("")
        expect(body.headers["Authorization"]).toBeUndefined()
        expect(body.headers["Cookie"]).toBeUndefined()
        expect(body.headers["X-Kept"]).toBe("yes")
        expect(response.history[0]!.request.headers.get("authorization")).toMatch(/^Basic /)
      }))

    it.effect("keeps Authorization on a same-origin redirect", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/redirect-to`, {
          params: { url: "/basic-auth/user/pass" },
          auth: ["user", "pass"]
        })
        expect(response.statusCode).toBe(200)
      }))

    it.effect("more than maxRedirects fails with TooManyRedirects holding the history", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/fault/redirect-loop`, { maxRedirects: 5 }))
        if (error._tag !== "TooManyRedirects") throw new Error(`expected TooManyRedirects, got ${error._tag}`)
        expect(error.history).toHaveLength(6)
        expect(error.message).toContain("5 redirects")
        const ok = yield* Session.get(`${url}/redirect/3`, { maxRedirects: 3 })
        expect(ok.statusCode).toBe(200)
        const over = yield* Effect.flip(Session.get(`${url}/redirect/4`, { maxRedirects: 3 }))
        expect(over._tag).toBe("TooManyRedirects")
      }))

    it.effect("TooManyRedirects carries the redirect it did not follow as its response (requests' e.response)", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/redirect/4`, { maxRedirects: 3 }))
        if (error._tag !== "TooManyRedirects") throw new Error(`expected TooManyRedirects, got ${error._tag}`)
        expect(error.response).toBe(error.history.at(-1))
        expect(error.response.statusCode).toBe(302)
        expect(error.response.url).toBe(`${url}/relative-redirect/1`)
        expect(error.response.headers.get("location")).toBe("/get")
      }))

    it.effect("a redirect to file: fails with InvalidSchema", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/fault/redirect-file`))
        expect(error._tag).toBe("InvalidSchema")
      }))
  })

  describe("printing", () => {
    it.scoped("headers and the cookie jar print readably, credentials and cookie values masked", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ auth: ["ada", "s3cret"], headers: { "X-Client": "print" } })
        const set = yield* session.get(`${url}/cookies/set?sid=topsecret`, { allowRedirects: false })
        const sent = yield* session.get(`${url}/cookies`)
        const printed = [set.headers, set.request.headers, sent.request.headers, session.cookies].map((x) => inspect(x))
        for (const text of printed) {
          expect(text).not.toMatch(/topsecret|s3cret|YWRhOnMzY3JldA/) // base64("ada:s3cret")
        }
        expect(printed[0]).toMatch(/^\{\s+_id: 'Headers',\s+headers: \{/)
        expect(printed[0]).toContain("'Set-Cookie': 'sid=***; Path=/'")
        expect(printed[1]).toContain("Authorization: 'Basic ***'")
        expect(printed[1]).toContain("'X-Client': 'print'")
        expect(printed[2]).toContain("Cookie: 'sid=***'")
        expect(printed[3]).toBe("{ _id: 'CookieJar', cookies: [ 'sid=*** for 127.0.0.1/' ] }")
        expect(String(session.cookies)).not.toContain("topsecret")
        expect(JSON.parse(String(sent.request.headers))).toMatchObject({
          _id: "Headers",
          headers: { Authorization: "Basic ***", Cookie: "sid=***" }
        })
        // the data itself is untouched: JSON and lookups keep the values
        expect(session.cookies.get("sid")).toBe("topsecret")
        expect(JSON.stringify(sent.request.headers)).toContain("Basic YWRhOnMzY3JldA==")
      }))
  })

  describe("cookies", () => {
    it.scoped("persist across requests of the session and are readable", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const set = yield* session.get(`${url}/cookies/set`, { params: { flavour: "oat" } })
        expect(set.history[0]!.cookies.map((c) => c.name)).toEqual(["flavour"])
        expect(session.cookies.get("flavour")).toBe("oat")
        const body = yield* echo(yield* session.get(`${url}/cookies`))
        expect(body.cookies).toEqual({ flavour: "oat" })
        yield* session.get(`${url}/cookies/delete`, { params: { flavour: "" } })
        expect(session.cookies.get("flavour")).toBeUndefined()
      }))

    it.scoped("are sent only to the host that set them", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        yield* session.get(`${url}/cookies/set/only/here`)
        const there = yield* echo(yield* session.get(`${otherOrigin(url)}/cookies`))
        expect(there.cookies).toEqual({})
        const here = yield* echo(yield* session.get(`${url}/cookies`))
        expect(here.cookies).toEqual({ only: "here" })
      }))

    it.scoped("request cookies are sent but not stored; a user-set cookie is sent", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const jar = Cookies.CookieJar.make({ fromUser: "1" })
        const session = yield* Session.make({ cookies: jar })
        const body = yield* echo(yield* session.get(`${url}/cookies`, { cookies: { once: "x" } }))
        expect(body.cookies).toEqual({ fromUser: "1", once: "x" })
        expect(session.cookies.get("once")).toBeUndefined()
        expect(session.cookies).toBe(jar)
      }))
  })

  describe("auth", () => {
    it.effect("a [user, pass] tuple is Basic auth", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const ok = yield* Session.get(`${url}/basic-auth/ada/secret`, { auth: ["ada", "secret"] })
        expect(yield* Response.json(ok)).toEqual({ authenticated: true, user: "ada" })
        const wrong = yield* Session.get(`${url}/basic-auth/ada/secret`, { auth: ["ada", "nope"] })
        expect(wrong.statusCode).toBe(401)
      }))

    it.effect("BearerAuth sends the token", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/bearer`, { auth: new Auth.BearerAuth("t0k3n") })
        expect(yield* Response.json(response)).toEqual({ authenticated: true, token: "t0k3n" })
      }))

    for (const algorithm of ["MD5", "SHA-256"]) {
      it.effect(`DigestAuth answers the ${algorithm} challenge with one retry`, () =>
        Effect.gen(function*() {
          const server = yield* Httpbin
          const response = yield* Session.get(`${server.url}/digest-auth/auth/ada/secret/${algorithm}`, {
            auth: new Auth.DigestAuth("ada", "secret")
          })
          expect(response.statusCode).toBe(200)
          expect(yield* Response.json(response)).toEqual({ authenticated: true, user: "ada" })
          expect(response.request.headers.get("authorization")).toMatch(/^Digest .*nc=00000001/)
        }))
    }

    it.effect("wrong digest credentials give the 401 after exactly one retry", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const before = server.requests().length
        const response = yield* Session.get(`${server.url}/digest-auth/auth/ada/secret`, {
          auth: new Auth.DigestAuth("ada", "wrong")
        })
        expect(response.statusCode).toBe(401)
        expect(server.requests().length - before).toBe(2)
      }))

    it.effect("a custom auth function can sign the request", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const { headers } = yield* echo(
          yield* Session.get(`${url}/headers`, {
            auth: (request) => ({ ...request, headers: request.headers.set("X-Signature", request.method) })
          })
        )
        expect(headers["X-Signature"]).toBe("GET")
      }))
  })

  describe("responses", () => {
    it.effect("decodes gzip, deflate and br bodies", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        for (const [path, flag] of [["gzip", "gzipped"], ["deflate", "deflated"], ["brotli", "brotli"]] as const) {
          const body = (yield* Response.json(yield* Session.get(`${url}/${path}`))) as Record<string, unknown>
          expect(body[flag]).toBe(true)
        }
      }))

    it.effect("has status, reason, ok, case-insensitive headers, encoding, text and timings", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/encoding/utf8`)
        expect(response.statusCode).toBe(200)
        expect(response.reason).toBe("OK")
        expect(response.ok).toBe(true)
        expect(response.headers.get("CONTENT-TYPE")).toBe(response.headers.get("content-type"))
        expect(response.encoding).toBe("utf-8")
        expect(response.text).toContain("∮ E⋅da = Q")
        expect(response.timings.elapsed).toBeGreaterThan(0)
        expect(response.timings.total).toBeGreaterThanOrEqual(response.timings.elapsed)
      }))

    it.effect("json() fails with JsonDecodeError on a body that is not JSON", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Effect.flatMap(Session.get(`${url}/html`), Response.json))
        if (error._tag !== "JsonDecodeError") throw new Error(`expected JsonDecodeError, got ${error._tag}`)
        expect(error.response.statusCode).toBe(200)
      }))

    it.effect("decodes a body with a Schema, with a typed failure", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const Uuid = Schema.Struct({ uuid: Schema.String })
        const ok = yield* Effect.flatMap(Session.get(`${url}/uuid`), Response.schemaJson(Uuid))
        expect(ok.uuid).toMatch(/^[0-9a-f-]{36}$/)
        const error = yield* Effect.flip(
          Effect.flatMap(Session.get(`${url}/get`), Response.schemaJson(Uuid))
        )
        expect(error._tag).toBe("SchemaDecodeError")
      }))

    it.effect("raiseForStatus fails with HttpError holding the response", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Effect.flatMap(Session.get(`${url}/status/418`), Response.raiseForStatus))
        if (error._tag !== "HttpError") throw new Error("expected HttpError")
        expect(error.response.statusCode).toBe(418)
        expect(error.message).toMatch(/^418 Client Error/)
        const fine = yield* Effect.flatMap(Session.get(`${url}/status/204`), Response.raiseForStatus)
        expect(fine.statusCode).toBe(204)
      }))

    it.effect("parses the Link header", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const response = yield* Session.get(`${url}/response-headers`, {
          params: { Link: "<https://example.com/2>; rel=\"next\", <https://example.com/9>; rel=\"last\"" }
        })
        expect(response.links["next"]?.url).toBe("https://example.com/2")
        expect(response.links["last"]?.url).toBe("https://example.com/9")
      }))
  })

  describe("errors", () => {
    it.effect("a URL without a scheme is MissingSchema; http:// is InvalidUrl; ftp: is InvalidSchema", () =>
      Effect.gen(function*() {
        expect((yield* Effect.flip(Session.get("nota url")))._tag).toBe("MissingSchema")
        expect((yield* Effect.flip(Session.get("http://")))._tag).toBe("InvalidUrl")
        expect((yield* Effect.flip(Session.get("ftp://example.com/x")))._tag).toBe("InvalidSchema")
      }))

    it.effect("a refused connection is ConnectionError", () =>
      Effect.gen(function*() {
        const port = yield* freePort
        const error = yield* Effect.flip(Session.get(`http://127.0.0.1:${port}/`))
        expect(error._tag).toBe("ConnectionError")
        expect(error.message).toContain("ECONNREFUSED")
      }))

    it.effect("a server that stalls before the headers is a ReadTimeout, not a ConnectTimeout", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(
          Session.get(`${url}/fault/stall-headers/2000`, { timeout: { connect: 1000, read: 150 } })
        )
        if (error._tag !== "ReadTimeout") throw new Error(`expected ReadTimeout, got ${error._tag}`)
        expect(error.phase).toBe("headers")
        expect(error.timeoutMs).toBe(150)
      }))

    it.effect("a stall between body bytes longer than the read timeout is a ReadTimeout in the body", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/fault/stall-body/1500`, { timeout: 200 }))
        if (error._tag !== "ReadTimeout") throw new Error(`expected ReadTimeout, got ${error._tag}`)
        expect(error.phase).toBe("body")
      }))

    it.effect("a truncated chunked body, a short Content-Length and a reset mid-body are ChunkedEncodingError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        for (const path of ["truncated-chunked", "short-content-length", "reset-mid-body"]) {
          const error = yield* Effect.flip(Session.get(`${url}/fault/${path}`))
          expect([path, error._tag]).toEqual([path, "ChunkedEncodingError"])
        }
      }))

    it.effect("a socket closed before any response is ConnectionError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/fault/close-before-response`))
        expect(error._tag).toBe("ConnectionError")
      }))

    it.effect("invalid gzip is ContentDecodingError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/fault/bad-gzip`))
        expect(error._tag).toBe("ContentDecodingError")
      }))

    it.effect("headers over the limit are a ConnectionError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const error = yield* Effect.flip(Session.get(`${url}/fault/huge-headers`))
        expect(error._tag).toBe("ConnectionError")
      }))

    it.effect("interrupting a request closes its socket", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const result = yield* Session.get(`${server.url}/delay/3`, { headers: { "X-Track-Id": "interrupt-1" } }).pipe(
          Effect.timeout("200 millis"),
          Effect.either,
          TestServices.provideLive
        )
        expect(Either.isLeft(result)).toBe(true)
        const closed = yield* Effect.promise(() => server.waitForClientClose("interrupt-1", 2000))
        expect(closed).toBe(true)
      }))

    it.effect("every error is a RequestError with the method and URL in its message", () =>
      Effect.gen(function*() {
        const port = yield* freePort
        const error = yield* Effect.flip(Session.post(`http://127.0.0.1:${port}/x`))
        expect(Errors.isRequestError(error)).toBe(true)
        expect(error.message).toContain(`POST http://127.0.0.1:${port}/x`)
      }))
  })
})

describe("version", () => {
  it("matches package.json", async () => {
    const pkg = await import("../package.json", { with: { type: "json" } })
    const { version } = await import("@requests-futures/core")
    expect(version).toBe(pkg.default.version)
  })
})
