import { describe, expect, it } from "vitest"
import { fetchJson, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("cookies", () => {
  it("/cookies lists the request's cookies", async () => {
    const { body } = await fetchJson(`${httpbin().url}/cookies`, { headers: { Cookie: 'a=1; b="two words"' } })
    expect(body).toEqual({ cookies: { a: "1", b: "two words" } })
  })

  it("/cookies hides analytics cookies unless ?show_env", async () => {
    const init = { headers: { Cookie: "_gauges_unique=1; keep=yes" } }
    expect((await fetchJson(`${httpbin().url}/cookies`, init)).body).toEqual({ cookies: { keep: "yes" } })
    expect((await fetchJson(`${httpbin().url}/cookies?show_env`, init)).body).toEqual({
      cookies: { _gauges_unique: "1", keep: "yes" }
    })
  })

  it("/cookies/set sets each query pair and redirects to /cookies", async () => {
    const res = await rawRequest(`${httpbin().url}/cookies/set?k1=v1&k2=a%20b`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe("/cookies")
    expect(res.headers["set-cookie"]).toEqual(["k1=v1; Path=/", 'k2="a b"; Path=/'])
  })

  it("/cookies/set/:name/:value sets one cookie", async () => {
    const res = await rawRequest(`${httpbin().url}/cookies/set/flavour/oatmeal`)
    expect(res.status).toBe(302)
    expect(res.headers["set-cookie"]).toEqual(["flavour=oatmeal; Path=/"])
  })

  it("/cookies/delete expires the named cookies", async () => {
    const res = await rawRequest(`${httpbin().url}/cookies/delete?k1&k2=`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe("/cookies")
    expect(res.headers["set-cookie"]).toEqual([
      "k1=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
      "k2=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    ])
  })

  it("an invalid cookie name is a 400", async () => {
    expect((await fetch(`${httpbin().url}/cookies/set?${encodeURIComponent("a b")}=1`)).status).toBe(400)
  })
})
