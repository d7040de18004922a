import { describe, expect, it } from "vitest"
import { fetchJson, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("redirects", () => {
  it("/redirect/:n goes through relative redirects", async () => {
    const first = await rawRequest(`${httpbin().url}/redirect/3`)
    expect(first.status).toBe(302)
    expect(first.headers.location).toBe("/relative-redirect/2")
    expect(first.body.toString()).toContain("Redirecting...")
    const res = await fetch(`${httpbin().url}/redirect/3`)
    expect(res.redirected).toBe(true)
    expect(res.url).toBe(`${httpbin().url}/get`)
  })

  it("/redirect/:n?absolute=true uses absolute URLs", async () => {
    const res = await rawRequest(`${httpbin().url}/redirect/2?absolute=true`)
    expect(res.headers.location).toBe(`${httpbin().url}/absolute-redirect/1`)
    const last = await rawRequest(`${httpbin().url}/redirect/1?absolute=true`)
    expect(last.headers.location).toBe(`${httpbin().url}/get`)
  })

  it("/relative-redirect/:n", async () => {
    expect((await rawRequest(`${httpbin().url}/relative-redirect/2`)).headers.location).toBe("/relative-redirect/1")
    const last = await rawRequest(`${httpbin().url}/relative-redirect/1`)
    expect(last.status).toBe(302)
    expect(last.headers.location).toBe("/get")
  })

  it("/absolute-redirect/:n", async () => {
    const res = await rawRequest(`${httpbin().url}/absolute-redirect/2`)
    expect(res.headers.location).toBe(`${httpbin().url}/absolute-redirect/1`)
    const followed = await fetch(`${httpbin().url}/absolute-redirect/2`)
    expect(followed.url).toBe(`${httpbin().url}/get`)
  })

  it("/redirect/0 is a 400, a non-number a 404", async () => {
    expect((await fetch(`${httpbin().url}/redirect/0`)).status).toBe(400)
    expect((await fetch(`${httpbin().url}/redirect/x`)).status).toBe(404)
  })

  it("/redirect-to redirects to the url with an optional 3xx status", async () => {
    const res = await rawRequest(`${httpbin().url}/redirect-to?url=${encodeURIComponent("http://example.com/x?y=1")}`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe("http://example.com/x?y=1")
    const with307 = await rawRequest(`${httpbin().url}/redirect-to?url=/get&status_code=307`, { method: "POST" })
    expect(with307.status).toBe(307)
    expect(with307.headers.location).toBe("/get")
    const ignored = await rawRequest(`${httpbin().url}/redirect-to?url=/get&status_code=200`)
    expect(ignored.status).toBe(302)
  })

  it("/redirect-to takes url from a form body too", async () => {
    const res = await rawRequest(`${httpbin().url}/redirect-to`, {
      method: "PUT",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "url=%2Fanything&status_code=303"
    })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe("/anything")
  })

  it("/redirect-to without url is a 400", async () => {
    const { res, body } = await fetchJson<{ error: string }>(`${httpbin().url}/redirect-to`)
    expect(res.status).toBe(400)
    expect(body.error).toMatch(/url/)
  })
})
