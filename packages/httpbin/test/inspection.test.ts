import { describe, expect, it } from "vitest"
import { fetchJson, rawExchange, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("request inspection", () => {
  it("/headers returns only the headers", async () => {
    const { body } = await fetchJson<{ headers: Record<string, string> }>(`${httpbin().url}/headers`, {
      headers: { "X-Foo": "bar" }
    })
    expect(Object.keys(body)).toEqual(["headers"])
    expect(body.headers["X-Foo"]).toBe("bar")
  })

  it("/headers hides proxy headers unless ?show_env", async () => {
    const init = { headers: { "X-Forwarded-For": "10.0.0.1", Via: "1.1 proxy" } }
    const hidden = await fetchJson<{ headers: Record<string, string> }>(`${httpbin().url}/headers`, init)
    expect(hidden.body.headers["X-Forwarded-For"]).toBeUndefined()
    expect(hidden.body.headers["Via"]).toBeUndefined()
    const shown = await fetchJson<{ headers: Record<string, string> }>(`${httpbin().url}/headers?show_env=1`, init)
    expect(shown.body.headers["X-Forwarded-For"]).toBe("10.0.0.1")
  })

  it("/ip returns the origin, honouring X-Forwarded-For", async () => {
    expect((await fetchJson(`${httpbin().url}/ip`)).body).toEqual({ origin: "127.0.0.1" })
    const proxied = await fetchJson(`${httpbin().url}/ip`, { headers: { "X-Forwarded-For": "203.0.113.9" } })
    expect(proxied.body).toEqual({ origin: "203.0.113.9" })
  })

  it("/user-agent returns the User-Agent", async () => {
    const { body } = await fetchJson(`${httpbin().url}/user-agent`, { headers: { "User-Agent": "agent/1.0" } })
    expect(body).toEqual({ "user-agent": "agent/1.0" })
  })

  it("/user-agent is null without one", async () => {
    const { data } = await rawExchange(httpbin(), "GET /user-agent HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    expect(data.toString()).toMatch(/\r\n\r\n\{\n {2}"user-agent": null\n\}\n$/)
  })

  it("/uuid returns a version 4 UUID", async () => {
    const { body } = await fetchJson<{ uuid: string }>(`${httpbin().url}/uuid`)
    expect(body.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("sets the CORS headers httpbin sets", async () => {
    const res = await fetch(`${httpbin().url}/ip`, { headers: { Origin: "http://a.example" } })
    expect(res.headers.get("access-control-allow-origin")).toBe("http://a.example")
    expect(res.headers.get("access-control-allow-credentials")).toBe("true")
    const noOrigin = await fetch(`${httpbin().url}/ip`)
    expect(noOrigin.headers.get("access-control-allow-origin")).toBe("*")
  })

  it("/ serves a landing page listing the endpoints", async () => {
    const res = await fetch(`${httpbin().url}/`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain("/digest-auth/")
    expect(html).toContain("/fault/stall-body/")
  })
})
