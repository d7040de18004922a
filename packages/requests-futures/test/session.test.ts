import {
  BasicAuth,
  ChunkedEncodingError,
  BearerAuth,
  CookieJar,
  DigestAuth,
  Executor,
  ExecutorShutdown,
  FuturesSession,
  HookError,
  HTTPError,
  Response,
  Session
} from "requests-futures"
import { inspect } from "node:util"
import { afterAll, describe, expect, it, vi } from "vitest"
import { type Echo, useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const session = new Session()
afterAll(() => session.close())

const echo = (response: Response) => response.json<Echo>()

describe("Session: every method returns a Promise of a Response", () => {
  it("GET with params (arrays repeat, undefined dropped) after the URL's own query", async () => {
    const response = await session.get(`${httpbin.url}/get?a=1`, { params: { b: "two words", c: ["x", "y"], d: undefined } })
    expect(response).toBeInstanceOf(Response)
    expect(echo(response).args).toEqual({ a: "1", b: "two words", c: ["x", "y"] })
    expect(response.url).toBe(`${httpbin.url}/get?a=1&b=two+words&c=x&c=y`)
  })

  it("POST a form, PUT a string, PATCH bytes, POST json, POST files", async () => {
    const form = echo(await session.post(`${httpbin.url}/post`, { data: { name: "Ada", langs: ["en", "fr"] } }))
    expect(form.form).toEqual({ name: "Ada", langs: ["en", "fr"] })
    expect(echo(await session.put(`${httpbin.url}/put`, { data: "plain text" })).data).toBe("plain text")
    const bytes = new TextEncoder().encode("bytes")
    expect(echo(await session.patch(`${httpbin.url}/patch`, { data: bytes })).data).toBe("bytes")
    const json = echo(await session.post(`${httpbin.url}/post`, { json: { a: [1, 2], b: null } }))
    expect(json.json).toEqual({ a: [1, 2], b: null })
    expect(json.headers["Content-Type"]).toBe("application/json")
    const files = echo(
      await session.post(`${httpbin.url}/post`, {
        data: { note: "hi" },
        files: { report: { filename: "r.csv", content: "a,b\n1,2", contentType: "text/csv" } }
      })
    )
    expect(files.files).toEqual({ report: "a,b\n1,2" })
    expect(files.form).toEqual({ note: "hi" })
  })

  it("HEAD has no body, OPTIONS lists the methods, DELETE and request(method) send the method", async () => {
    const head = await session.head(`${httpbin.url}/get`)
    expect(head.statusCode).toBe(200)
    expect(head.content.byteLength).toBe(0)
    const options = await session.options(`${httpbin.url}/get`)
    expect(options.headers.get("allow")).toContain("GET")
    expect(echo(await session.delete(`${httpbin.url}/delete`)).url).toBe(`${httpbin.url}/delete`)
    const anything = await session.request("patch", `${httpbin.url}/anything`)
    expect(echo(anything).method).toBe("PATCH")
  })

  it("a response has status, reason, ok, headers, url, text, encoding, elapsed, timings, request", async () => {
    const response = await session.get(`${httpbin.url}/encoding/utf8`)
    expect([response.statusCode, response.reason, response.ok]).toEqual([200, "OK", true])
    expect(response.headers.get("CONTENT-TYPE")).toContain("text/html")
    expect(response.encoding).toBe("utf-8")
    expect(response.text).toContain("∮ E⋅da = Q")
    expect(response.content).toBeInstanceOf(Uint8Array)
    expect(response.elapsed).toBeGreaterThan(0)
    expect(response.timings.queued).toBe(0)
    expect(response.timings.total).toBeGreaterThanOrEqual(response.timings.elapsed)
    expect(response.request.method).toBe("GET")
    expect(response.request.headers.get("user-agent")).toMatch(/^requests-futures-ts\//)
  })

  it("json() parses, raiseForStatus() passes a 2xx and throws HTTPError holding the response", async () => {
    expect((await session.get(`${httpbin.url}/json`)).json()).toHaveProperty("slideshow")
    const ok = await session.get(`${httpbin.url}/status/204`)
    expect(ok.raiseForStatus()).toBe(ok)
    const teapot = await session.get(`${httpbin.url}/status/418`)
    expect(teapot.ok).toBe(false)
    const error = (() => {
      try {
        teapot.raiseForStatus()
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(HTTPError)
    expect((error as HTTPError).response).toBe(teapot)
    expect((error as HTTPError).message).toMatch(/^418 Client Error/)
  })

  it("follows redirects with history; allowRedirects: false returns the redirect itself", async () => {
    const followed = await session.get(`${httpbin.url}/redirect/2`)
    expect(followed.url).toBe(`${httpbin.url}/get`)
    expect(followed.history.map((r) => r.statusCode)).toEqual([302, 302])
    expect(followed.history[0]).toBeInstanceOf(Response)
    const stopped = await session.get(`${httpbin.url}/redirect/2`, { allowRedirects: false })
    expect(stopped.statusCode).toBe(302)
    expect(stopped.isRedirect).toBe(true)
  })

  it("parses the Link header", async () => {
    const response = await session.get(`${httpbin.url}/response-headers`, {
      params: { Link: "<https://example.com/2>; rel=\"next\"" }
    })
    expect(response.links["next"]?.url).toBe("https://example.com/2")
  })

  it("stream: true leaves the body to iterContent()", async () => {
    const response = await session.get(`${httpbin.url}/stream-bytes/20000`, { stream: true, params: { chunk_size: 1000 } })
    expect(response.content.byteLength).toBe(0)
    let size = 0
    for await (const chunk of response.iterContent()) size += chunk.byteLength
    expect(size).toBe(20000)
    const cut = await session.get(`${httpbin.url}/fault/truncated-chunked`, { stream: true })
    const error = await (async () => {
      for await (const chunk of cut.iterContent()) void chunk
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChunkedEncodingError)
    const unread = await session.get(`${httpbin.url}/stream-bytes/100000`, { stream: true })
    await unread.close()
  })

  it("a response lists the cookies it set; it prints as requests prints it", async () => {
    const response = await session.get(`${httpbin.url}/cookies/set/a/1`, { allowRedirects: false })
    expect(response.cookies.map((c) => [c.name, c.value])).toEqual([["a", "1"]])
    expect(inspect(response)).toBe("<Response [302]>")
    expect(JSON.parse(JSON.stringify(response))).toMatchObject({ statusCode: 302 })
  })
})

describe("Session settings, live", () => {
  it("headers: options merged over the defaults, then changed live; a request's undefined removes one", async () => {
    await using s = new Session({ headers: { "X-Client": "docs" } })
    s.headers.set("X-Token", "1")
    expect(s.headers.get("x-token")).toBe("1")
    expect(s.headers.toRecord()).toMatchObject({ "X-Client": "docs", "X-Token": "1", Accept: "*/*" })
    const first = echo(await s.get(`${httpbin.url}/headers`, { headers: { "X-Client": undefined, "X-Extra": "e" } }))
    expect(first.headers).toMatchObject({ "X-Token": "1", "X-Extra": "e" })
    expect(first.headers["X-Client"]).toBeUndefined()
    s.headers.update({ "X-Token": "2", "User-Agent": undefined })
    expect(s.headers.delete("X-Client")).toBe(true)
    const second = echo(await s.get(`${httpbin.url}/headers`))
    expect(second.headers["X-Token"]).toBe("2")
    expect(second.headers["X-Client"]).toBeUndefined()
    expect(second.headers["User-Agent"]).toBeUndefined()
  })

  it("cookies: the server's persist in session.cookies and go back; a request's are not stored", async () => {
    await using s = new Session({ cookies: { start: "0" } })
    await s.get(`${httpbin.url}/cookies/set`, { params: { flavour: "oat" } })
    expect(s.cookies.get("flavour")).toBe("oat")
    s.cookies.set("manual", "1")
    const sent = (await s.get(`${httpbin.url}/cookies`, { cookies: { once: "x" } })).json()
    expect(sent).toEqual({ cookies: { start: "0", flavour: "oat", manual: "1", once: "x" } })
    expect(s.cookies.toRecord()).toEqual({ flavour: "oat", start: "0", manual: "1" })
    expect(s.cookies).toBeInstanceOf(CookieJar)
  })

  it("auth: a pair, BasicAuth, BearerAuth, DigestAuth; session.auth is live; auth: null sends none", async () => {
    await using s = new Session({ auth: ["ada", "secret"] })
    expect((await s.get(`${httpbin.url}/basic-auth/ada/secret`)).statusCode).toBe(200)
    expect((await s.get(`${httpbin.url}/basic-auth/ada/secret`, { auth: null })).statusCode).toBe(401)
    s.auth = new BearerAuth("t0k3n")
    expect((await s.get(`${httpbin.url}/bearer`)).json()).toEqual({ authenticated: true, token: "t0k3n" })
    const basic = await s.get(`${httpbin.url}/basic-auth/bob/pw`, { auth: new BasicAuth("bob", "pw") })
    expect(basic.statusCode).toBe(200)
    const digest = await s.get(`${httpbin.url}/digest-auth/auth/ada/secret`, { auth: new DigestAuth("ada", "secret") })
    expect(digest.json()).toEqual({ authenticated: true, user: "ada" })
  })

  it("params, timeout and maxRedirects are live settings too", async () => {
    await using s = new Session({ params: { k: "1" } })
    expect(echo(await s.get(`${httpbin.url}/get`)).args).toEqual({ k: "1" })
    s.params = { k: "2" }
    expect(echo(await s.get(`${httpbin.url}/get`, { params: { j: "3" } })).args).toEqual({ k: "2", j: "3" })
    s.maxRedirects = 1
    expect(s.maxRedirects).toBe(1)
    await expect(s.get(`${httpbin.url}/redirect/3`)).rejects.toMatchObject({ _tag: "TooManyRedirects" })
    s.timeout = 50
    expect(s.timeout).toBe(50)
    await expect(s.get(`${httpbin.url}/delay/0.5`)).rejects.toMatchObject({ _tag: "ReadTimeout" })
  })
})

describe("printing (console.log)", () => {
  const oneLine = (value: unknown) => inspect(value, { breakLength: Infinity, depth: 4 })
  const defaults = "'User-Agent': 'requests-futures-ts/0.1.0', 'Accept-Encoding': 'gzip, deflate, br', Accept: '*/*'"

  it("Session, its headers and its cookies print their settings, secrets masked", async () => {
    await using s = new Session({ auth: ["ada", "s3cret"], headers: { "X-Token": "tok-123", Authorization: "Bearer t0ken" } })
    await s.get(`${httpbin.url}/cookies/set?sid=topsecret`)
    s.cookies.set("theme", "dark")
    expect(oneLine(s.headers)).toBe(`SessionHeaders { ${defaults}, 'X-Token': 'tok-123', Authorization: 'Bearer ***' }`)
    expect(oneLine(s.cookies)).toBe("{ _id: 'CookieJar', cookies: [ 'sid=*** for 127.0.0.1/', 'theme=*** for /' ] }")
    expect(oneLine(s)).toBe(
      `Session { headers: SessionHeaders { ${defaults}, 'X-Token': 'tok-123', Authorization: 'Bearer ***' }, ` +
        "cookies: { _id: 'CookieJar', cookies: [ 'sid=*** for 127.0.0.1/', 'theme=*** for /' ] }, " +
        "auth: 'Basic ada:***', maxRedirects: 30, closed: false }"
    )
    s.auth = new BearerAuth("b3arer")
    s.timeout = 1_500
    expect(oneLine(s)).toContain("auth: 'Bearer ***', timeout: 1500, maxRedirects: 30")
    s.auth = new DigestAuth("bob", "d1gest")
    expect(inspect(s)).toContain("auth: 'Digest bob:***'")
    // the default console.log form (multi-line, depth 2) shows no secret either
    expect(inspect(s)).not.toMatch(/topsecret|s3cret|t0ken|b3arer|d1gest|dark/)
  })

  it("FuturesSession and Executor print their state; the executor's counters are live", async () => {
    await using executor = new Executor({ maxWorkers: 3 })
    await using s = new FuturesSession({ executor, auth: new BasicAuth("ada", "s3cret") })
    await s.get(`${httpbin.url}/get`)
    const running = s.get(`${httpbin.url}/delay/0.5`)
    await vi.waitFor(() => expect(running.running()).toBe(true))
    expect(oneLine(executor)).toBe(
      "Executor { maxWorkers: 3, lent: 0, running: 1, queued: 0, waiting: 0, backingOff: 0, retained: 0, submitted: 2, completed: 1, failed: 0, cancelled: 0, isShutdown: false }"
    )
    expect(oneLine(s)).toBe(
      `FuturesSession { headers: SessionHeaders { ${defaults} }, cookies: { _id: 'CookieJar', cookies: [] }, ` +
        `auth: 'Basic ada:***', maxRedirects: 30, executor: ${oneLine(executor)}, closed: false }`
    )
    running.cancel()
    await s.close()
    expect(oneLine(s)).toMatch(/, closed: true \}$/)
  })
})

describe("Session hooks", () => {
  it("run in order, the session's first; a returned Response replaces the result", async () => {
    const order: Array<string> = []
    await using s = new Session({ hooks: { response: (r) => void order.push(`session ${r.statusCode}`) } })
    s.hooks.response.push(async () => {
      order.push("pushed")
    })
    let replacement: Response | undefined
    const response = await s.get(`${httpbin.url}/get`, {
      hooks: {
        response: [
          (r) => void order.push(`request ${r.url.endsWith("/get")}`),
          async (r) => {
            replacement = await s.get(`${httpbin.url}/status/201`, { hooks: { response: [] } })
            void r
            return replacement
          }
        ]
      }
    })
    expect(order).toEqual(["session 200", "pushed", "request true", "session 201", "pushed"])
    expect(response).toBe(replacement)
    expect(response.statusCode).toBe(201)
  })

  it("a hook that throws fails the request with HookError carrying the cause; a RequestException stays itself", async () => {
    const boom = new Error("boom")
    const failed = await session.get(`${httpbin.url}/get`, { hooks: { response: () => { throw boom } } }).catch((e) => e)
    expect(failed).toBeInstanceOf(HookError)
    expect(failed.cause).toBe(boom)
    expect(failed.hook).toBe("response hook")
    const rejected = await session.get(`${httpbin.url}/get`, { hooks: { response: () => Promise.reject(boom) } })
      .catch((e) => e)
    expect(rejected).toBeInstanceOf(HookError)
    const raised = await session.get(`${httpbin.url}/status/404`, { hooks: { response: (r) => void r.raiseForStatus() } })
      .catch((e) => e)
    expect(raised).toBeInstanceOf(HTTPError)
    expect(raised.response.statusCode).toBe(404)
  })
})

describe("Session lifetime", () => {
  it("close() and await using: later requests reject with ExecutorShutdown", async () => {
    const s = new Session()
    {
      await using inner = s
      expect((await inner.get(`${httpbin.url}/get`)).statusCode).toBe(200)
    }
    expect(s.closed).toBe(true)
    await expect(s.get(`${httpbin.url}/get`)).rejects.toBeInstanceOf(ExecutorShutdown)
    await s.close()
  })
})
