import { request as httpRequest } from "node:http"
import { describe, expect, it } from "vitest"
import { startHttpbin } from "@requests-futures/httpbin"
import { rawExchange, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("fault endpoints", () => {
  it("/fault/close-before-response: the connection closes with no response", async () => {
    await expect(
      fetch(`${httpbin().url}/fault/close-before-response`, { headers: { "X-Track-Id": "fault-cbr" } })
    ).rejects.toThrow()
    const { data } = await rawExchange(httpbin(), "GET /fault/close-before-response HTTP/1.1\r\nHost: x\r\n\r\n")
    expect(data.length).toBe(0)
    // the server broke it, not the client
    expect(httpbin().requestInfo("fault-cbr")).toMatchObject({ closedByClient: false, finished: false })
  })

  it("/fault/reset-mid-body: headers arrive, then the body read fails", async () => {
    const res = await fetch(`${httpbin().url}/fault/reset-mid-body`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-length")).toBe("1000")
    await expect(res.arrayBuffer()).rejects.toThrow()
    const { data, error } = await rawExchange(httpbin(), "GET /fault/reset-mid-body HTTP/1.1\r\nHost: x\r\n\r\n")
    expect(data.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nx{100}$/)
    expect(error?.message).toMatch(/ECONNRESET/)
  })

  it("/fault/truncated-chunked: the chunked body never terminates", async () => {
    const res = await fetch(`${httpbin().url}/fault/truncated-chunked`)
    expect(res.status).toBe(200)
    await expect(res.text()).rejects.toThrow()
    const { data } = await rawExchange(httpbin(), "GET /fault/truncated-chunked HTTP/1.1\r\nHost: x\r\n\r\n")
    const text = data.toString()
    expect(text).toContain("Transfer-Encoding: chunked")
    expect(text).toContain("chunk 2\n\r\n")
    expect(text).not.toMatch(/\r\n0\r\n\r\n$/)
  })

  it("/fault/short-content-length: fewer bytes than promised, then EOF", async () => {
    const res = await fetch(`${httpbin().url}/fault/short-content-length`)
    expect(res.headers.get("content-length")).toBe("1000")
    await expect(res.text()).rejects.toThrow()
    const { data, error } = await rawExchange(httpbin(), "GET /fault/short-content-length HTTP/1.1\r\nHost: x\r\n\r\n")
    expect(data.toString()).toMatch(/\r\n\r\n0123456789$/)
    expect(error).toBeUndefined()
  })

  it("/fault/bad-gzip: Content-Encoding gzip over plain bytes", async () => {
    const raw = await rawRequest(`${httpbin().url}/fault/bad-gzip`)
    expect(raw.headers["content-encoding"]).toBe("gzip")
    expect(raw.body[0]).not.toBe(0x1f)
    const res = await fetch(`${httpbin().url}/fault/bad-gzip`)
    await expect(res.text()).rejects.toThrow()
  })

  it("/fault/stall-headers/:ms: the head comes after ms", async () => {
    const started = Date.now()
    const res = await fetch(`${httpbin().url}/fault/stall-headers/200`)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(((await res.json()) as { stalled_ms: number }).stalled_ms).toBe(200)
  })

  it("/fault/stall-headers/:ms: a client timeout fires and the stall ends with the connection", async () => {
    await expect(
      fetch(`${httpbin().url}/fault/stall-headers/30000`, {
        headers: { "X-Track-Id": "stall-timeout" },
        signal: AbortSignal.timeout(100)
      })
    ).rejects.toThrow(/abort|timeout/i)
    expect(await httpbin().waitForClientClose("stall-timeout", 2_000)).toBe(true)
  })

  it("/fault/stall-body/:ms: headers at once, then chunks ms apart", async () => {
    const started = Date.now()
    const res = await fetch(`${httpbin().url}/fault/stall-body/150?chunks=2`)
    const headersAfter = Date.now() - started
    expect(headersAfter).toBeLessThan(150)
    expect(await res.text()).toBe("chunk 0\nchunk 1\n")
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
  })

  it("/fault/huge-headers: more than 64 KiB of headers", async () => {
    await expect(fetch(`${httpbin().url}/fault/huge-headers`)).rejects.toThrow()
    const res = await rawRequest(`${httpbin().url}/fault/huge-headers`, { maxHeaderSize: 1024 * 1024 })
    expect(res.status).toBe(200)
    const size = res.rawHeaders.reduce((n, h) => n + h.length, 0)
    expect(size).toBeGreaterThan(64 * 1024)
  })

  it("/fault/redirect-loop: redirects to itself forever", async () => {
    const res = await rawRequest(`${httpbin().url}/fault/redirect-loop?x=1`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe("/fault/redirect-loop?x=1")
    await expect(fetch(`${httpbin().url}/fault/redirect-loop`)).rejects.toThrow()
  })

  it("/fault/redirect-file: redirects to a file: URL", async () => {
    const res = await rawRequest(`${httpbin().url}/fault/redirect-file`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe("file:///etc/passwd")
    await expect(fetch(`${httpbin().url}/fault/redirect-file`)).rejects.toThrow()
  })

  it("/fault/stall-*/:ms with a bad ms is a 400", async () => {
    expect((await fetch(`${httpbin().url}/fault/stall-headers/soon`)).status).toBe(400)
  })
})

describe("stalled responses end on server.close()", () => {
  it("close() returns promptly and the client sees the connection die", async () => {
    const server = await startHttpbin()
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest(`${server.url}/fault/stall-body/60000`, { agent: false }, (res) => {
        res.on("data", () => undefined)
        res.on("error", () => resolve("body error"))
        res.on("end", () => resolve("ended"))
        res.on("aborted", () => resolve("aborted"))
      })
      req.on("error", () => resolve("request error"))
      req.end()
    })
    const other = fetch(`${server.url}/fault/stall-headers/60000`).then(
      () => "response",
      () => "rejected"
    )
    await server.waitForRequest("req-2", 2_000)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await outcome).not.toBe("ended")
    expect(await other).toBe("rejected")
    expect(server.stats().open).toBe(0)
  })
})
