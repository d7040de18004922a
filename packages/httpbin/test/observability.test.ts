import { Agent, request as httpRequest } from "node:http"
import { describe, expect, it } from "vitest"
import { startHttpbin, type HttpbinServer } from "@requests-futures/httpbin"
import { sleep, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

const getWith = (server: HttpbinServer, agent: Agent, path: string) =>
  new Promise<number>((resolve, reject) => {
    httpRequest(`${server.url}${path}`, { agent }, (res) => {
      res.resume()
      res.on("end", () => resolve(res.statusCode ?? 0))
    })
      .on("error", reject)
      .end()
  })

describe("connection statistics", () => {
  it("two sequential requests on a keep-alive agent use one connection", async () => {
    const server = await startHttpbin()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      expect(await getWith(server, agent, "/get")).toBe(200)
      expect(await getWith(server, agent, "/ip")).toBe(200)
      expect(server.stats()).toEqual({ accepted: 1, open: 1 })
      const [first, second] = server.requests()
      expect(first?.connectionId).toBe(second?.connectionId)
      agent.destroy()
      for (let i = 0; i < 50 && server.stats().open > 0; i++) await sleep(10)
      expect(server.stats()).toEqual({ accepted: 1, open: 0 })
    } finally {
      agent.destroy()
      await server.close()
    }
  })

  it("counts fetch's pooled connections too, and resetStats() starts over", async () => {
    const server = await startHttpbin()
    try {
      await (await fetch(`${server.url}/get`)).text()
      // undici hands the socket back to its pool a moment after the body promise resolves
      await sleep(20)
      await (await fetch(`${server.url}/get`)).text()
      expect(server.stats().accepted).toBe(1)
      server.resetStats()
      expect(server.stats().accepted).toBe(0)
      const agent = new Agent({ keepAlive: false })
      await Promise.all([getWith(server, agent, "/get"), getWith(server, agent, "/get")])
      expect(server.stats().accepted).toBe(2)
    } finally {
      await server.close()
    }
  })
})

describe("request tracking", () => {
  it("every response carries X-Request-Id, and requestInfo finds it", async () => {
    const a = await fetch(`${httpbin().url}/get`)
    const b = await fetch(`${httpbin().url}/status/404`)
    const idA = a.headers.get("x-request-id")!
    const idB = b.headers.get("x-request-id")!
    expect(idA).toMatch(/^req-\d+$/)
    expect(idB).not.toBe(idA)
    await a.text()
    expect(httpbin().requestInfo(idA)).toMatchObject({ id: idA, method: "GET", path: "/get", finished: true, closedByClient: false })
  })

  it("X-Track-Id names a request and is echoed back", async () => {
    const waiting = httpbin().waitForRequest("tracked-1")
    const res = await fetch(`${httpbin().url}/anything/x?y=1`, { method: "POST", headers: { "X-Track-Id": "tracked-1" } })
    expect(res.headers.get("x-track-id")).toBe("tracked-1")
    await res.text()
    const info = await waiting
    expect(info).toMatchObject({ trackId: "tracked-1", method: "POST", path: "/anything/x" })
    expect(httpbin().requestInfo("tracked-1")?.finished).toBe(true)
    expect(httpbin().requests().some((r) => r.trackId === "tracked-1")).toBe(true)
  })

  it("waitForRequest resolves undefined for a request that never came", async () => {
    const started = Date.now()
    expect(await httpbin().waitForRequest("never-sent", 100)).toBeUndefined()
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it("a client that aborts /delay/3 is seen closing the socket", async () => {
    const controller = new AbortController()
    const pending = fetch(`${httpbin().url}/delay/3`, { headers: { "X-Track-Id": "abort-delay" }, signal: controller.signal })
    expect(await httpbin().waitForRequest("abort-delay", 2_000)).toBeDefined()
    const started = Date.now()
    controller.abort()
    await expect(pending).rejects.toThrow()
    expect(await httpbin().waitForClientClose("abort-delay", 2_000)).toBe(true)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(httpbin().requestInfo("abort-delay")).toMatchObject({
      closedByClient: true,
      finished: false,
      socketClosed: true,
      path: "/delay/3"
    })
  })

  it("waitForClientClose is false for a response that completed", async () => {
    await (await fetch(`${httpbin().url}/get`, { headers: { "X-Track-Id": "completed" } })).text()
    const started = Date.now()
    expect(await httpbin().waitForClientClose("completed", 2_000)).toBe(false)
    expect(Date.now() - started).toBeLessThan(500)
  })

  it("waitForClientClose times out with false", async () => {
    expect(await httpbin().waitForClientClose("nobody", 50)).toBe(false)
  })
})
