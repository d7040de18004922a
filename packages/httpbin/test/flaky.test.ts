import { describe, expect, it } from "vitest"
import { fetchJson, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

interface Flaky {
  readonly key: string
  readonly attempt: number
  readonly error?: string
  readonly data?: string
  readonly method?: string
}

const flaky = (path: string, init?: RequestInit) => fetchJson<Flaky>(`${httpbin().url}/flaky/${path}`, init)

describe("/flaky/:key/:n", () => {
  it("fails the first n requests of a key with 503, then answers 200 with the attempt number", async () => {
    const statuses: Array<number> = []
    const attempts: Array<number> = []
    for (let i = 0; i < 4; i++) {
      const { res, body } = await flaky("first/2")
      statuses.push(res.status)
      attempts.push(body.attempt)
      expect(body.key).toBe("first")
    }
    expect(statuses).toEqual([503, 503, 200, 200])
    expect(attempts).toEqual([1, 2, 3, 4])
    expect(httpbin().flakyCount("first")).toBe(4)
  })

  it("counts each key on its own", async () => {
    expect((await flaky("a/1")).res.status).toBe(503)
    expect((await flaky("b/1")).res.status).toBe(503)
    expect((await flaky("a/1")).res.status).toBe(200)
    expect(httpbin().flakyCount("a")).toBe(2)
    expect(httpbin().flakyCount("b")).toBe(1)
    expect(httpbin().flakyCount("never")).toBe(0)
  })

  it("?status= picks the failure status (429, 500, 408...)", async () => {
    expect((await flaky("s429/1?status=429")).res.status).toBe(429)
    expect((await flaky("s500/1?status=500")).res.status).toBe(500)
    expect((await flaky("s408/1?status=408")).res.status).toBe(408)
    expect((await flaky("s408/1?status=408")).res.status).toBe(200)
  })

  it("?retry_after= and ?retry_after_date= add Retry-After to the failures only", async () => {
    const failed = await flaky("ra/1?retry_after=3")
    expect(failed.res.headers.get("retry-after")).toBe("3")
    const recovered = await flaky("ra/1?retry_after=3")
    expect(recovered.res.status).toBe(200)
    expect(recovered.res.headers.get("retry-after")).toBeNull()
    const dated = await flaky("rad/1?retry_after_date=1")
    expect(Date.parse(dated.res.headers.get("retry-after") ?? "")).toBeGreaterThan(Date.now())
  })

  it("?close=1 fails by closing the connection without a response", async () => {
    await expect(fetch(`${httpbin().url}/flaky/close/1?close=1`)).rejects.toThrow()
    const { res, body } = await flaky("close/1?close=1")
    expect(res.status).toBe(200)
    expect(body.attempt).toBe(2)
  })

  it("answers any method and echoes the body it finally accepts", async () => {
    expect((await flaky("put/1", { method: "PUT", body: "payload" })).res.status).toBe(503)
    const { res, body } = await flaky("put/1", { method: "PUT", body: "payload" })
    expect(res.status).toBe(200)
    expect(body).toEqual({ attempt: 2, data: "payload", key: "put", method: "PUT" })
  })

  it("?reset=1 and DELETE /flaky/:key start a key over, without counting themselves", async () => {
    await flaky("r/1")
    await flaky("r/1")
    const reset = await flaky("r/1?reset=1")
    expect(reset.body).toEqual({ attempt: 0, key: "r" })
    expect(httpbin().flakyCount("r")).toBe(0)
    expect((await flaky("r/1")).res.status).toBe(503)
    const deleted = await flaky("r", { method: "DELETE" })
    expect(deleted.res.status).toBe(200)
    expect(httpbin().flakyCount("r")).toBe(0)
    expect((await flaky("r/1")).res.status).toBe(503)
  })

  it("resetFlaky() on the server forgets one key or all of them", async () => {
    await flaky("x/5")
    await flaky("y/5")
    httpbin().resetFlaky("x")
    expect(httpbin().flakyCount("x")).toBe(0)
    expect(httpbin().flakyCount("y")).toBe(1)
    httpbin().resetFlaky()
    expect(httpbin().flakyCount("y")).toBe(0)
  })

  it.each(["status=200", "status=x", "status=600", "retry_after=soon"])("?%s is a 400 and is not counted", async (query) => {
    const { res } = await flaky(`bad/1?${query}`)
    expect(res.status).toBe(400)
    expect(httpbin().flakyCount("bad")).toBe(0)
  })

  it("http://localhost:PORT reaches the same server as a second origin", async () => {
    const { res, body } = await fetchJson<Flaky>(`http://localhost:${httpbin().port}/flaky/lh/0`)
    expect(res.status).toBe(200)
    expect(body.attempt).toBe(1)
    expect(httpbin().flakyCount("lh")).toBe(1)
  })
})
