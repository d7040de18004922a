import { describe, expect, it } from "vitest"
import { fetchJson, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("/cache", () => {
  it("answers like /get with Last-Modified and ETag", async () => {
    const { res, body } = await fetchJson(`${httpbin().url}/cache`)
    expect(res.status).toBe(200)
    expect(Object.keys(body)).toEqual(["args", "headers", "origin", "url"])
    expect(new Date(res.headers.get("last-modified")!).getTime()).not.toBeNaN()
    expect(res.headers.get("etag")).toMatch(/^[0-9a-f]{32}$/)
  })

  it("answers 304 to a conditional request", async () => {
    for (const headers of [{ "If-Modified-Since": new Date().toUTCString() }, { "If-None-Match": "x" }]) {
      const res = await rawRequest(`${httpbin().url}/cache`, { headers })
      expect(res.status).toBe(304)
      expect(res.body.length).toBe(0)
    }
  })

  it("/cache/:n sets Cache-Control", async () => {
    const res = await fetch(`${httpbin().url}/cache/60`)
    expect(res.headers.get("cache-control")).toBe("public, max-age=60")
  })
})

describe("/etag/:etag", () => {
  it("returns the ETag", async () => {
    const res = await fetch(`${httpbin().url}/etag/abc`)
    expect(res.status).toBe(200)
    expect(res.headers.get("etag")).toBe("abc")
  })

  it("If-None-Match with the tag (or *) is a 304", async () => {
    for (const tag of ['"abc"', 'W/"abc"', '"x", "abc"', "*"]) {
      const res = await rawRequest(`${httpbin().url}/etag/abc`, { headers: { "If-None-Match": tag } })
      expect(res.status).toBe(304)
      expect(res.headers.etag).toBe("abc")
    }
    expect((await fetch(`${httpbin().url}/etag/abc`, { headers: { "If-None-Match": '"other"' } })).status).toBe(200)
  })

  it("If-Match without the tag is a 412", async () => {
    expect((await fetch(`${httpbin().url}/etag/abc`, { headers: { "If-Match": '"other"' } })).status).toBe(412)
    expect((await fetch(`${httpbin().url}/etag/abc`, { headers: { "If-Match": '"abc"' } })).status).toBe(200)
  })
})

describe("/response-headers", () => {
  it("turns query pairs into headers and lists them all in the body", async () => {
    const res = await rawRequest(`${httpbin().url}/response-headers?X-Thing=1&X-Thing=2&freeform=hello`)
    expect(res.status).toBe(200)
    const pairs: Array<[string, string]> = []
    for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!])
    expect(pairs.filter(([k]) => k === "X-Thing")).toEqual([["X-Thing", "1"], ["X-Thing", "2"]])
    expect(res.headers.freeform).toBe("hello")
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>
    expect(body).toEqual({
      "Content-Length": String(res.body.length),
      "Content-Type": "application/json",
      "X-Thing": ["1", "2"],
      freeform: "hello"
    })
    expect(res.headers["content-length"]).toBe(String(res.body.length))
  })

  it("answers POST too", async () => {
    const { body } = await fetchJson<Record<string, unknown>>(`${httpbin().url}/response-headers?a=b`, { method: "POST" })
    expect(body.a).toBe("b")
  })

  it("refuses headers that would break framing", async () => {
    expect((await fetch(`${httpbin().url}/response-headers?Content-Length=5`)).status).toBe(400)
  })
})

describe("304 Not Modified", () => {
  it("has no Content-Type, no other entity header and no body, from /status/304, /cache and /etag", async () => {
    const url = httpbin().url
    const answers = [
      await rawRequest(`${url}/status/304`),
      await rawRequest(`${url}/cache`, { headers: { "If-Modified-Since": new Date().toUTCString() } }),
      await rawRequest(`${url}/etag/abc`, { headers: { "If-None-Match": '"abc"' } })
    ]
    for (const res of answers) {
      expect(res.status).toBe(304)
      expect(res.headers["content-type"]).toBeUndefined()
      expect(res.headers["content-length"]).toBeUndefined()
      expect(res.headers["last-modified"]).toBeUndefined()
      expect(res.body.length).toBe(0)
    }
    // what is not about the body stays: the validator and the server's own headers
    expect(answers[2]!.headers.etag).toBe("abc")
    expect(answers[0]!.headers["x-request-id"]).toBeDefined()
    // a 200 keeps its Content-Type
    expect((await rawRequest(`${url}/status/200`)).headers["content-type"]).toBe("text/html; charset=utf-8")
  })
})
