import { describe, expect, it } from "vitest"
import { fetchJson, rawExchange, rawRequest, useHttpbin, type Echo } from "./helpers.js"

const httpbin = useHttpbin()

describe("/get", () => {
  it("echoes args, headers, origin and url like httpbin", async () => {
    const { res, body, text } = await fetchJson(`${httpbin().url}/get?a=1&a=2&b=x%20y`, {
      headers: { "x-custom-header": "hello", "User-Agent": "vitest" }
    })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/json")
    expect(Object.keys(body)).toEqual(["args", "headers", "origin", "url"])
    expect(body.args).toEqual({ a: ["1", "2"], b: "x y" })
    expect(body.headers["X-Custom-Header"]).toBe("hello")
    expect(body.headers["User-Agent"]).toBe("vitest")
    expect(body.headers["Host"]).toBe(`127.0.0.1:${httpbin().port}`)
    expect(body.origin).toBe("127.0.0.1")
    expect(body.url).toBe(`${httpbin().url}/get?a=1&a=2&b=x%20y`)
    // Flask's pretty, key-sorted JSON with a trailing newline
    expect(text).toBe(JSON.stringify(body, null, 2) + "\n")
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)))
  })

  it("joins repeated request headers with a comma and title-cases names", async () => {
    const { data } = await rawExchange(
      httpbin(),
      "GET /get HTTP/1.1\r\nHost: x\r\nx-dup: a\r\nX-DUP: b\r\nx-b3-traceid: t\r\nConnection: close\r\n\r\n"
    )
    const body = JSON.parse(data.toString().split("\r\n\r\n")[1]!) as Echo
    expect(body.headers["X-Dup"]).toBe("a,b")
    expect(body.headers["X-B3-Traceid"]).toBe("t")
    expect(body.url).toBe("http://x/get")
  })

  it("escapes non-ASCII as Python's json does", async () => {
    const { text, body } = await fetchJson(`${httpbin().url}/get?name=%C3%A9`)
    expect(body.args).toEqual({ name: "é" })
    expect(text).toContain('"name": "\\u00e9"')
  })

  it("answers HEAD with headers only", async () => {
    const res = await rawRequest(`${httpbin().url}/get`, { method: "HEAD" })
    expect(res.status).toBe(200)
    expect(res.body.length).toBe(0)
    expect(Number(res.headers["content-length"])).toBeGreaterThan(0)
  })

  it("refuses other methods with 405 and Allow", async () => {
    const res = await fetch(`${httpbin().url}/get`, { method: "POST", body: "x" })
    expect(res.status).toBe(405)
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS")
    expect(await res.text()).toContain("<title>405 Method Not Allowed</title>")
  })

  it("answers OPTIONS with Allow and CORS preflight headers", async () => {
    const res = await fetch(`${httpbin().url}/get`, {
      method: "OPTIONS",
      headers: { Origin: "http://example.com", "Access-Control-Request-Headers": "x-foo" }
    })
    expect(res.status).toBe(200)
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS")
    expect(res.headers.get("access-control-allow-origin")).toBe("http://example.com")
    expect(res.headers.get("access-control-allow-headers")).toBe("x-foo")
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE, PATCH, OPTIONS")
  })
})

describe("/post, /put, /patch, /delete", () => {
  const BODY_KEYS = ["args", "data", "files", "form", "headers", "json", "origin", "url"]

  it.each(["POST", "PUT", "PATCH", "DELETE"])("%s echoes a JSON body", async (method) => {
    const { res, body } = await fetchJson(`${httpbin().url}/${method.toLowerCase()}?q=1`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ b: 1, a: [true, null] })
    })
    expect(res.status).toBe(200)
    expect(Object.keys(body)).toEqual(BODY_KEYS)
    expect(body.json).toEqual({ a: [true, null], b: 1 })
    expect(body.data).toBe('{"b":1,"a":[true,null]}')
    expect(body.args).toEqual({ q: "1" })
    expect(body.form).toEqual({})
    expect(body.files).toEqual({})
  })

  it.each(["post", "put", "patch", "delete"])("/%s allows only its own method", async (path) => {
    const res = await fetch(`${httpbin().url}/${path}`)
    expect(res.status).toBe(405)
    expect(res.headers.get("allow")).toBe(`${path.toUpperCase()}, OPTIONS`)
  })

  it("puts a urlencoded body in form, repeated keys as lists", async () => {
    const { body } = await fetchJson(`${httpbin().url}/post`, {
      method: "POST",
      body: new URLSearchParams([["a", "1"], ["b", "two words"], ["a", "3"]])
    })
    expect(body.form).toEqual({ a: ["1", "3"], b: "two words" })
    expect(body.data).toBe("")
    expect(body.json).toBeNull()
    expect(body.headers["Content-Type"]).toBe("application/x-www-form-urlencoded;charset=UTF-8")
  })

  it("parses multipart fields and files", async () => {
    const form = new FormData()
    form.append("field", "value")
    form.append("multi", "1")
    form.append("multi", "2")
    form.append("text", new Blob(["hello file"], { type: "text/plain" }), "hello.txt")
    form.append("bin", new Blob([new Uint8Array([0xff, 0x00, 0xfe])], { type: "image/x-raw" }), "raw.bin")
    const { body } = await fetchJson(`${httpbin().url}/post`, { method: "POST", body: form })
    expect(body.form).toEqual({ field: "value", multi: ["1", "2"] })
    expect(body.files).toEqual({
      text: "hello file",
      bin: `data:image/x-raw;base64,${Buffer.from([0xff, 0x00, 0xfe]).toString("base64")}`
    })
    expect(body.data).toBe("")
  })

  it("keeps a malformed JSON body as data with json null", async () => {
    const { res, body } = await fetchJson(`${httpbin().url}/post`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json"
    })
    expect(res.status).toBe(200)
    expect(body.json).toBeNull()
    expect(body.data).toBe("{not json")
  })

  it("parses JSON whatever the content type, as httpbin does", async () => {
    const { body } = await fetchJson(`${httpbin().url}/post`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "[1, 2]"
    })
    expect(body.json).toEqual([1, 2])
  })

  it("reports a binary body as a base64 data URL", async () => {
    const bytes = new Uint8Array([0x80, 0x81, 0x00, 0xff])
    const { body } = await fetchJson(`${httpbin().url}/put`, { method: "PUT", body: bytes })
    expect(body.data).toBe(`data:application/octet-stream;base64,${Buffer.from(bytes).toString("base64")}`)
    expect(body.json).toBeNull()
  })
})

describe("/anything", () => {
  it("echoes any method with the method field", async () => {
    const { body } = await fetchJson(`${httpbin().url}/anything/deep/path?x=1`, { method: "PURGE" })
    expect(Object.keys(body)).toEqual(["args", "data", "files", "form", "headers", "json", "method", "origin", "url"])
    expect(body.method).toBe("PURGE")
    expect(body.url).toBe(`${httpbin().url}/anything/deep/path?x=1`)
  })

  it("answers at /anything itself", async () => {
    const { body } = await fetchJson(`${httpbin().url}/anything`, { method: "PATCH", body: "raw" })
    expect(body.method).toBe("PATCH")
    expect(body.data).toBe("raw")
  })
})

describe("/delay/:n", () => {
  it("waits, then echoes without json", async () => {
    const started = Date.now()
    const { res, body } = await fetchJson(`${httpbin().url}/delay/0.2`)
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(Object.keys(body)).toEqual(["args", "data", "files", "form", "headers", "origin", "url"])
  })

  it("answers 400 with a JSON error for a non-number", async () => {
    const { res, body } = await fetchJson<{ error: string }>(`${httpbin().url}/delay/x`)
    expect(res.status).toBe(400)
    expect(body.error).toMatch(/delay/)
  })
})
