import {
  CancelledError,
  ConnectionError,
  FuturesSession,
  InvalidOption,
  InvalidURL,
  RequestException,
  Session
} from "requests-futures"
import { afterAll, describe, expect, it } from "vitest"
import { type Echo, freePort, useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const futures = new FuturesSession({ maxWorkers: 2 })
const session = new Session()
afterAll(() => Promise.all([futures.close(), session.close()]))

/** What a call threw or rejected with. */
const caught = async (f: () => unknown): Promise<unknown> => {
  try {
    await f()
  } catch (error) {
    return error
  }
  throw new Error("expected a failure")
}

describe("the URL", () => {
  it("may be a URL object on both APIs", async () => {
    const got = await session.get(new URL(`${httpbin.url}/get?a=1`), { params: { b: 2 } })
    expect(got.json<Echo>().args).toEqual({ a: "1", b: "2" })
    const posted = await futures.post(new URL(`${httpbin.url}/post`), { json: { n: 1 } })
    expect(posted.json<Echo>().json).toEqual({ n: 1 })
    expect((await futures.request("DELETE", new URL(`${httpbin.url}/delete`))).statusCode).toBe(200)
  })

  it("that is undefined or a number is InvalidURL, not a TypeError", async () => {
    for (const given of [undefined, 42]) {
      const rejected = await caught(() => session.get(given as unknown as string))
      expect(rejected).toBeInstanceOf(InvalidURL)
      expect((rejected as Error).message).not.toContain("trim")
      const outcome = await futures.get(given as unknown as string).settle()
      expect(!outcome.ok && outcome.error).toBeInstanceOf(InvalidURL)
    }
  })
})

describe("timeout", () => {
  it("Infinity and null are no timeout, for the session and the request", async () => {
    await using unbounded = new FuturesSession({ timeout: Infinity })
    expect((await unbounded.get(`${httpbin.url}/delay/0.2`)).statusCode).toBe(200)
    await using strict = new Session({ timeout: 100 })
    expect(await caught(() => strict.get(`${httpbin.url}/delay/0.4`))).toHaveProperty("_tag", "ReadTimeout")
    expect((await strict.get(`${httpbin.url}/delay/0.4`, { timeout: null })).statusCode).toBe(200)
    strict.timeout = Infinity
    expect((await strict.get(`${httpbin.url}/delay/0.4`)).statusCode).toBe(200)
  })

  it("a bad session timeout throws InvalidOption from the constructor and the setter", () => {
    for (const make of [() => new Session({ timeout: -1 }), () => new FuturesSession({ timeout: -1 })]) {
      let error: unknown
      try {
        make()
      } catch (thrown) {
        error = thrown
      }
      expect(error).toBeInstanceOf(InvalidOption)
      expect(error).toBeInstanceOf(RequestException)
      expect(error).toMatchObject({ _tag: "InvalidOption", name: "InvalidOption", option: "timeout", value: -1 })
      expect((error as Error).message).toContain("invalid timeout -1")
    }
    expect(() => new Session({ timeout: { connect: 1, rread: 5 } as never })).toThrow(/invalid timeout\.rread 5/)
    expect(() => {
      session.timeout = Number.NaN
    }).toThrow(InvalidOption)
    expect(session.timeout).toBeUndefined()
  })

  it("a bad request timeout fails the request with InvalidOption naming the request", async () => {
    const outcome = await futures.get(`${httpbin.url}/get`, { timeout: "5" as unknown as number }).settle()
    if (outcome.ok || !(outcome.error instanceof InvalidOption)) throw new Error("expected InvalidOption")
    expect(outcome.error.option).toBe("timeout")
    expect(outcome.error.request).toEqual({ method: "GET", url: `${httpbin.url}/get` })
  })
})

describe("maxRedirects, method and params", () => {
  it("are InvalidOption with the bad value", async () => {
    expect(await caught(() => session.get(`${httpbin.url}/redirect/1`, { maxRedirects: -1 })))
      .toMatchObject({ _tag: "InvalidOption", option: "maxRedirects", value: -1 })
    expect(() => new FuturesSession({ maxRedirects: 2.5 })).toThrow(InvalidOption)
    expect(() => {
      session.maxRedirects = -3
    }).toThrow(/invalid maxRedirects -3/)
    expect(await caught(() => session.request("FOO BAR", `${httpbin.url}/anything`)))
      .toMatchObject({ _tag: "InvalidOption", option: "method", value: "FOO BAR" })
    const empty = await futures.request("", `${httpbin.url}/anything`).settle()
    expect(!empty.ok && empty.error).toBeInstanceOf(InvalidOption)
    expect(await caught(() => session.get(`${httpbin.url}/get`, { params: { q: { a: 1 } as never } })))
      .toMatchObject({ _tag: "InvalidOption", option: "params.q" })
    expect(() => {
      session.params = { q: [{}] as never }
    }).toThrow(InvalidOption)
  })
})

describe("headers", () => {
  it("null removes a session header, in a request, the session's options and headers.update", async () => {
    await using s = new FuturesSession({ headers: { "X-Client": "docs", "User-Agent": null } })
    const first = (await s.get(`${httpbin.url}/headers`)).json<Echo>().headers
    expect(first["X-Client"]).toBe("docs")
    expect(first["User-Agent"]).toBeUndefined()
    const second = (await s.get(`${httpbin.url}/headers`, { headers: { "X-Client": null } })).json<Echo>().headers
    expect(second["X-Client"]).toBeUndefined()
    s.headers.update({ Accept: null })
    expect((await s.get(`${httpbin.url}/headers`)).json<Echo>().headers["Accept"]).toBeUndefined()
  })
})

describe("credentials in the URL", () => {
  it("are sent as Basic auth and stripped from response.url and request.url", async () => {
    const url = `http://user:pass@127.0.0.1:${httpbin.server.port}/basic-auth/user/pass`
    for (const response of [await session.get(url), await futures.get(new URL(url))]) {
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ authenticated: true, user: "user" })
      expect(response.url).toBe(`${httpbin.url}/basic-auth/user/pass`)
      expect(response.request.url).toBe(`${httpbin.url}/basic-auth/user/pass`)
    }
    expect((await session.get(url, { auth: ["user", "nope"] })).statusCode).toBe(401)
  })

  it("never show the password in an error or a cancelled future's message", async () => {
    const port = await freePort()
    const refused = await caught(() => session.get(`http://user:secret@127.0.0.1:${port}/x`))
    expect(refused).toBeInstanceOf(ConnectionError)
    expect(String(refused)).not.toContain("secret")
    expect((refused as ConnectionError).request.url).toBe(`http://127.0.0.1:${port}/x`)

    await using one = new FuturesSession({ maxWorkers: 1 })
    const slow = one.get(`${httpbin.url}/delay/1`)
    const queued = one.get(`http://user:secret@127.0.0.1:${httpbin.server.port}/get`)
    queued.cancel()
    const outcome = await queued.settle()
    if (outcome.ok || !(outcome.error instanceof CancelledError)) throw new Error("expected CancelledError")
    expect(outcome.error.message).toContain(`user:***@127.0.0.1:${httpbin.server.port}/get`)
    expect(outcome.error.message).not.toContain("secret")
    slow.cancel()
  })
})
