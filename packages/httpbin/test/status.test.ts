import { describe, expect, it } from "vitest"
import { rawExchange, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("/status/:codes", () => {
  it.each([200, 201, 204, 404, 500, 503])("returns %i", async (code) => {
    const res = await fetch(`${httpbin().url}/status/${code}`)
    expect(res.status).toBe(code)
  })

  it.each(["POST", "PUT", "PATCH", "DELETE"])("answers %s too", async (method) => {
    expect((await fetch(`${httpbin().url}/status/202`, { method })).status).toBe(202)
  })

  it.each([301, 302, 303, 305, 307])("%i redirects to /redirect/1", async (code) => {
    const res = await rawRequest(`${httpbin().url}/status/${code}`)
    expect(res.status).toBe(code)
    expect(res.headers.location).toBe("/redirect/1")
  })

  it("401 carries a Basic challenge", async () => {
    const res = await fetch(`${httpbin().url}/status/401`)
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="Fake Realm"')
  })

  it("407 carries a proxy challenge", async () => {
    // fetch turns any 407 into a network error, so look at it with node:http
    const res = await rawRequest(`${httpbin().url}/status/407`)
    expect(res.status).toBe(407)
    expect(res.headers["proxy-authenticate"]).toBe('Basic realm="Fake Realm"')
  })

  it("418 is a teapot", async () => {
    const res = await fetch(`${httpbin().url}/status/418`)
    expect(res.status).toBe(418)
    expect(res.headers.get("x-more-info")).toBe("http://tools.ietf.org/html/rfc2324")
    expect(await res.text()).toContain("teapot")
  })

  it("406 lists the image types on offer", async () => {
    const res = await fetch(`${httpbin().url}/status/406`)
    expect(res.headers.get("content-type")).toBe("application/json")
    expect(((await res.json()) as { accept: ReadonlyArray<string> }).accept).toContain("image/png")
  })

  it("picks from a comma list", async () => {
    const seen = new Set<number>()
    for (let i = 0; i < 20; i++) seen.add((await fetch(`${httpbin().url}/status/201,202`)).status)
    expect([...seen].every((s) => s === 201 || s === 202)).toBe(true)
  })

  it("honours weights", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${httpbin().url}/status/200:0,418:1`)).status).toBe(418)
    }
  })

  it.each(["abc", "200,abc", "200:x,500:1", "99", "1000"])("%s is an invalid status code (400)", async (codes) => {
    const res = await fetch(`${httpbin().url}/status/${codes}`)
    expect(res.status).toBe(400)
    expect(await res.text()).toBe("Invalid status code")
  })

  it("a 1xx is written as is and the connection closed, so clients fail fast", async () => {
    const { data } = await rawExchange(httpbin(), "GET /status/100 HTTP/1.1\r\nHost: x\r\n\r\n")
    expect(data.toString()).toMatch(/^HTTP\/1\.1 100 Continue\r\n/)
    await expect(fetch(`${httpbin().url}/status/100`)).rejects.toThrow()
  })
})

describe("bodiless statuses", () => {
  it.each([204, 304])("%i has no Content-Length and no body", async (code) => {
    const res = await rawRequest(`${httpbin().url}/status/${code}`)
    expect(res.status).toBe(code)
    expect(res.headers["content-length"]).toBeUndefined()
    expect(res.headers["transfer-encoding"]).toBeUndefined()
    expect(res.body.length).toBe(0)
  })
})

describe("/status/:codes with Retry-After", () => {
  it("sends no Retry-After unless asked, as httpbin", async () => {
    const res = await fetch(`${httpbin().url}/status/503`)
    expect(res.headers.get("retry-after")).toBeNull()
  })

  it.each([429, 503, 301, 401])("?retry_after=2 sends Retry-After: 2 with a %i", async (code) => {
    const res = await rawRequest(`${httpbin().url}/status/${code}?retry_after=2`)
    expect(res.status).toBe(code)
    expect(res.headers["retry-after"]).toBe("2")
  })

  it("?retry_after_date=2 sends an HTTP-date at least 2 s and less than 3 s ahead", async () => {
    const before = Date.now()
    const res = await fetch(`${httpbin().url}/status/429?retry_after_date=2`)
    const value = res.headers.get("retry-after") ?? ""
    expect(value).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/)
    const ahead = Date.parse(value) - before
    expect(ahead).toBeGreaterThanOrEqual(2000)
    expect(ahead).toBeLessThan(3000 + (Date.now() - before))
  })

  it.each(["retry_after=x", "retry_after=1.5", "retry_after=-1", "retry_after_date=soon"])(
    "?%s is a 400 with a JSON error",
    async (query) => {
      const res = await fetch(`${httpbin().url}/status/503?${query}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toMatch(/whole number of seconds/)
    }
  )
})
