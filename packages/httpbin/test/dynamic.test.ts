import { describe, expect, it } from "vitest"
import { fetchJson, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

// Python: random.seed(42); [random.randint(0, 255) for _ in range(10)]
const PYTHON_SEED_42 = [57, 12, 140, 125, 114, 71, 52, 44, 216, 16]

describe("/bytes/:n", () => {
  it("returns n random bytes as octet-stream", async () => {
    const res = await fetch(`${httpbin().url}/bytes/64`)
    expect(res.headers.get("content-type")).toBe("application/octet-stream")
    expect((await res.arrayBuffer()).byteLength).toBe(64)
  })

  it("?seed= gives the bytes Python's random gives httpbin.org", async () => {
    const res = await fetch(`${httpbin().url}/bytes/10?seed=42`)
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual(PYTHON_SEED_42)
  })

  it("caps at 100 KiB", async () => {
    const res = await fetch(`${httpbin().url}/bytes/500000`)
    expect((await res.arrayBuffer()).byteLength).toBe(100 * 1024)
  })

  it("a non-integer seed is a 400", async () => {
    expect((await fetch(`${httpbin().url}/bytes/10?seed=abc`)).status).toBe(400)
  })
})

describe("/stream-bytes/:n", () => {
  it("streams chunked bytes, reproducible with ?seed=", async () => {
    const res = await rawRequest(`${httpbin().url}/stream-bytes/1000?seed=42&chunk_size=100`)
    expect(res.headers["transfer-encoding"]).toBe("chunked")
    expect(res.body.length).toBe(1000)
    expect([...res.body.subarray(0, 10)]).toEqual(PYTHON_SEED_42)
    const whole = Buffer.from(await (await fetch(`${httpbin().url}/bytes/1000?seed=42`)).arrayBuffer())
    expect(res.body.equals(whole)).toBe(true)
  })
})

describe("/stream/:n", () => {
  it("streams n JSON lines with ids", async () => {
    const res = await rawRequest(`${httpbin().url}/stream/3?x=1`)
    expect(res.headers["transfer-encoding"]).toBe("chunked")
    expect(res.headers["content-type"]).toBe("application/json")
    const lines = res.body.toString().trimEnd().split("\n")
    expect(lines).toHaveLength(3)
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as { id: number; args: unknown; url: string }
      expect(parsed.id).toBe(i)
      expect(parsed.args).toEqual({ x: "1" })
      expect(Object.keys(parsed)).toEqual(["url", "args", "headers", "origin", "id"])
    })
    // Python's json.dumps separators
    expect(lines[0]).toMatch(/^\{"url": "http:\/\/127\.0\.0\.1:\d+\/stream\/3\?x=1", "args": \{"x": "1"\}, /)
  })

  it("caps at 100 lines", async () => {
    const text = await (await fetch(`${httpbin().url}/stream/500`)).text()
    expect(text.trimEnd().split("\n")).toHaveLength(100)
  })
})

describe("/range/:n", () => {
  it("serves the whole resource with Accept-Ranges and an ETag", async () => {
    const res = await rawRequest(`${httpbin().url}/range/30`)
    expect(res.status).toBe(200)
    expect(res.headers["accept-ranges"]).toBe("bytes")
    expect(res.headers.etag).toBe("range30")
    expect(res.headers["content-range"]).toBe("bytes 0-29/30")
    expect(res.body.toString()).toBe("abcdefghijklmnopqrstuvwxyzabcd")
  })

  it.each([
    ["bytes=2-5", "cdef", "bytes 2-5/26"],
    ["bytes=20-", "uvwxyz", "bytes 20-25/26"],
    ["bytes=-3", "xyz", "bytes 23-25/26"]
  ])("Range %s gives 206", async (range, body, contentRange) => {
    const res = await rawRequest(`${httpbin().url}/range/26`, { headers: { Range: range } })
    expect(res.status).toBe(206)
    expect(res.headers["content-range"]).toBe(contentRange)
    expect(res.headers["content-length"]).toBe(String(body.length))
    expect(res.body.toString()).toBe(body)
  })

  it("an unsatisfiable range is a 416", async () => {
    for (const range of ["bytes=30-40", "bytes=5-2"]) {
      const res = await rawRequest(`${httpbin().url}/range/26`, { headers: { Range: range } })
      expect(res.status).toBe(416)
      expect(res.headers["content-range"]).toBe("bytes */26")
    }
  })

  it("a size outside (0, 102400] is a 404", async () => {
    expect((await fetch(`${httpbin().url}/range/0`)).status).toBe(404)
  })

  it("?duration= spreads the body out", async () => {
    const started = Date.now()
    const res = await fetch(`${httpbin().url}/range/10?duration=0.2&chunk_size=5`)
    expect(await res.text()).toBe("abcdefghij")
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
  })
})

describe("/drip", () => {
  it("drips numbytes over duration with the given code", async () => {
    const started = Date.now()
    const res = await fetch(`${httpbin().url}/drip?duration=0.2&numbytes=4&code=201`)
    expect(res.status).toBe(201)
    expect(res.headers.get("content-length")).toBe("4")
    expect(await res.text()).toBe("****")
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
  })

  it("waits ?delay= seconds before the headers", async () => {
    const started = Date.now()
    const res = await fetch(`${httpbin().url}/drip?duration=0&numbytes=2&delay=0.2`)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(await res.text()).toBe("**")
  })

  it("refuses numbytes <= 0", async () => {
    const res = await fetch(`${httpbin().url}/drip?numbytes=0`)
    expect(res.status).toBe(400)
    expect(await res.text()).toBe("number of bytes must be positive")
  })
})

describe("/base64/:value", () => {
  it("decodes URL-safe base64", async () => {
    const res = await fetch(`${httpbin().url}/base64/SFRUUEJJTiBpcyBhd2Vzb21l`)
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(await res.text()).toBe("HTTPBIN is awesome")
    const urlsafe = Buffer.from("ÿ?>/é").toString("base64url")
    const padded = urlsafe + "=".repeat((4 - (urlsafe.length % 4)) % 4)
    expect(await (await fetch(`${httpbin().url}/base64/${padded}`)).text()).toBe("ÿ?>/é")
  })

  it("answers a hint for invalid input", async () => {
    expect(await (await fetch(`${httpbin().url}/base64/abc`)).text()).toBe(
      "Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l"
    )
  })
})

describe("/links", () => {
  it("/links/:n/:offset is a page of n links", async () => {
    const html = await (await fetch(`${httpbin().url}/links/3/1`)).text()
    expect(html).toBe(
      "<html><head><title>Links</title></head><body><a href='/links/3/0'>0</a> 1 <a href='/links/3/2'>2</a> </body></html>"
    )
  })

  it("/links/:n redirects to the first page", async () => {
    const res = await rawRequest(`${httpbin().url}/links/5`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe("/links/5/0")
  })
})

describe("/uuid and friends stay JSON", () => {
  it("returns JSON with a trailing newline", async () => {
    const { text } = await fetchJson(`${httpbin().url}/uuid`)
    expect(text.endsWith("}\n")).toBe(true)
  })
})
