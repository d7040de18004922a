import { describe, expect, it } from "vitest"
import { startServer } from "../src/server.js"
import { get } from "../src/router.js"
import { send } from "../src/response.js"
import { fetchJson, rawExchange, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

const stillServes = async () => {
  const { res, body } = await fetchJson(`${httpbin().url}/get?still=alive`)
  expect(res.status).toBe(200)
  expect(body.args).toEqual({ still: "alive" })
}

const multipart = (body: string, contentType = "multipart/form-data; boundary=XyZ") =>
  fetch(`${httpbin().url}/post`, { method: "POST", headers: { "Content-Type": contentType }, body })

describe("bad input never takes the server down", () => {
  it("an unknown path is Flask's 404 page", async () => {
    const res = await fetch(`${httpbin().url}/no/such/thing`)
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(await res.text()).toContain("<title>404 Not Found</title>")
    await stillServes()
  })

  it("a trailing slash is a different (unknown) path, as in Flask", async () => {
    expect((await fetch(`${httpbin().url}/get/`)).status).toBe(404)
  })

  it("/delay/x is a 400", async () => {
    expect((await fetch(`${httpbin().url}/delay/x`)).status).toBe(400)
    await stillServes()
  })

  it("/status/abc is a 400", async () => {
    expect((await fetch(`${httpbin().url}/status/abc`)).status).toBe(400)
    await stillServes()
  })

  it.each([
    ["no closing boundary", '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'],
    ["no boundary at all", "just some bytes"],
    ["garbage after the boundary", "--XyZgarbage\r\n\r\n--XyZ--"],
    ["a header line without a colon", "--XyZ\r\nnot a header\r\n\r\nx\r\n--XyZ--\r\n"],
    ["unterminated part headers", '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n--XyZ--']
  ])("a malformed multipart body (%s) is a 400", async (_, body) => {
    const res = await multipart(body)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain("<title>400 Bad Request</title>")
    await stillServes()
  })

  it("a multipart Content-Type without a boundary is a 400", async () => {
    expect((await multipart("x", "multipart/form-data")).status).toBe(400)
    await stillServes()
  })

  it("a well-formed multipart body with preamble, epilogue and a header-less part parses", async () => {
    const body =
      "preamble\r\n--XyZ\r\n" +
      'Content-Disposition: form-data; name="a"\r\n\r\n1\r\n' +
      "--XyZ\r\n\r\nnameless part is skipped\r\n" +
      '--XyZ\r\nContent-Disposition: form-data; name="f"; filename*=UTF-8\'\'%E2%82%AC.txt\r\nContent-Type: text/plain\r\n\r\nfile\r\nbody\r\n' +
      "--XyZ--\r\nepilogue"
    const { res, body: echo } = await fetchJson(`${httpbin().url}/post`, {
      method: "POST",
      headers: { "Content-Type": 'multipart/form-data; boundary="XyZ"' },
      body
    })
    expect(res.status).toBe(200)
    expect(echo.form).toEqual({ a: "1" })
    expect(echo.files).toEqual({ f: "file\r\nbody" })
  })

  it("a malformed HTTP request gets a 400 and the server keeps serving", async () => {
    const { data } = await rawExchange(httpbin(), "THIS IS NOT HTTP\r\n\r\n")
    expect(data.toString()).toMatch(/^HTTP\/1\.1 400 Bad Request/)
    await stillServes()
  })

  it("a request with a huge header block is accepted up to 256 KiB", async () => {
    const { res, body } = await fetchJson(`${httpbin().url}/headers`, { headers: { "X-Big": "b".repeat(100_000) } })
    expect(res.status).toBe(200)
    expect((body as unknown as { headers: Record<string, string> }).headers["X-Big"]).toHaveLength(100_000)
  })

  it("a non-ASCII etag is refused rather than crashing the header writer", async () => {
    expect((await fetch(`${httpbin().url}/etag/%E2%82%AC`)).status).toBe(400)
    await stillServes()
  })
})

describe("a handler that throws", () => {
  it("yields a 500 before the headers, a cut connection after, and the server keeps serving", async () => {
    const server = await startServer({}, [
      get("/throw", () => {
        throw new Error("boom")
      }),
      get("/reject", () => Promise.reject(new Error("async boom"))),
      get("/late", (ex) => {
        ex.res.writeHead(200, { "Content-Length": 10 })
        ex.res.write("12345")
        throw new Error("too late for a status")
      }),
      get("/ok", (ex) => send(ex, 200, "ok", "text/plain"))
    ])
    try {
      for (const path of ["/throw", "/reject"]) {
        const res = await fetch(`${server.url}${path}`)
        expect(res.status).toBe(500)
        expect(await res.text()).toContain("<title>500 Internal Server Error</title>")
      }
      const late = await fetch(`${server.url}/late`)
      expect(late.status).toBe(200)
      await expect(late.text()).rejects.toThrow()
      expect(await (await fetch(`${server.url}/ok`)).text()).toBe("ok")
    } finally {
      await server.close()
    }
  })
})
