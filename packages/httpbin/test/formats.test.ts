import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { fetchJson, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

describe("compressed responses", () => {
  it.each([
    ["gzip", "gzip", "gzipped", gunzipSync],
    ["deflate", "deflate", "deflated", inflateSync],
    ["brotli", "br", "brotli", brotliDecompressSync]
  ] as const)("/%s is %s-encoded JSON with %s: true", async (path, encoding, flag, decompress) => {
    const raw = await rawRequest(`${httpbin().url}/${path}`)
    expect(raw.headers["content-encoding"]).toBe(encoding)
    expect(raw.headers["content-length"]).toBe(String(raw.body.length))
    const body = JSON.parse(decompress(raw.body).toString()) as Record<string, unknown>
    expect(Object.keys(body)).toEqual([flag, "headers", "method", "origin"].sort())
    expect(body[flag]).toBe(true)
    expect(body.method).toBe("GET")
    // and fetch decodes it transparently
    const { body: viaFetch } = await fetchJson<Record<string, unknown>>(`${httpbin().url}/${path}`)
    expect(viaFetch[flag]).toBe(true)
  })
})

describe("documents", () => {
  it("/html", async () => {
    const res = await fetch(`${httpbin().url}/html`)
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(await res.text()).toContain("<h1>Herman Melville - Moby-Dick</h1>")
  })

  it("/encoding/utf8", async () => {
    const res = await fetch(`${httpbin().url}/encoding/utf8`)
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(await res.text()).toContain("∮ E⋅da = Q")
  })

  it("/json", async () => {
    const { res, body } = await fetchJson<{ slideshow: { title: string; slides: ReadonlyArray<unknown> } }>(
      `${httpbin().url}/json`
    )
    expect(res.headers.get("content-type")).toBe("application/json")
    expect(body.slideshow.title).toBe("Sample Slide Show")
    expect(body.slideshow.slides).toHaveLength(2)
  })

  it("/xml", async () => {
    const res = await fetch(`${httpbin().url}/xml`)
    expect(res.headers.get("content-type")).toBe("application/xml")
    expect(await res.text()).toMatch(/^<\?xml version='1.0' encoding='us-ascii'\?>[\s\S]*<slideshow/)
  })

  it("/robots.txt", async () => {
    const res = await fetch(`${httpbin().url}/robots.txt`)
    expect(res.headers.get("content-type")).toBe("text/plain")
    expect(await res.text()).toBe("User-agent: *\nDisallow: /deny\n")
  })

  it("/deny", async () => {
    expect(await (await fetch(`${httpbin().url}/deny`)).text()).toContain("YOU SHOULDN'T BE HERE")
  })

  it("/forms/post", async () => {
    expect(await (await fetch(`${httpbin().url}/forms/post`)).text()).toContain('<form method="post" action="/post">')
  })
})

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (data: Uint8Array) => {
  let crc = 0xffffffff
  for (const b of data) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

describe("images", () => {
  it("/image/png is a valid PNG", async () => {
    const res = await fetch(`${httpbin().url}/image/png`)
    expect(res.headers.get("content-type")).toBe("image/png")
    const png = Buffer.from(await res.arrayBuffer())
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    const chunks: Array<string> = []
    let idat = Buffer.alloc(0)
    for (let pos = 8; pos < png.length; ) {
      const length = png.readUInt32BE(pos)
      const type = png.subarray(pos + 4, pos + 8).toString("latin1")
      const data = png.subarray(pos + 8, pos + 8 + length)
      expect(png.readUInt32BE(pos + 8 + length)).toBe(crc32(png.subarray(pos + 4, pos + 8 + length)))
      if (type === "IDAT") idat = Buffer.concat([idat, data])
      chunks.push(type)
      pos += 12 + length
    }
    expect(chunks).toEqual(["IHDR", "IDAT", "IEND"])
    const width = png.readUInt32BE(16)
    const height = png.readUInt32BE(20)
    expect(inflateSync(idat).length).toBe(height * (width * 4 + 1))
  })

  it("/image/svg", async () => {
    const res = await fetch(`${httpbin().url}/image/svg`)
    expect(res.headers.get("content-type")).toBe("image/svg+xml")
    expect(await res.text()).toContain("<svg")
  })

  it("/image negotiates on Accept", async () => {
    const svg = await fetch(`${httpbin().url}/image`, { headers: { Accept: "image/svg+xml" } })
    expect(svg.headers.get("content-type")).toBe("image/svg+xml")
    const png = await fetch(`${httpbin().url}/image`, { headers: { Accept: "image/*" } })
    expect(png.headers.get("content-type")).toBe("image/png")
    const none = await fetch(`${httpbin().url}/image`, { headers: { Accept: "text/plain" } })
    expect(none.status).toBe(406)
  })
})

describe("bodies for clients' limits (not httpbin's)", () => {
  it("/bomb/:mib is about 1 KiB of gzip per MiB of zeros", async () => {
    const raw = await rawRequest(`${httpbin().url}/bomb/4`)
    expect(raw.headers["content-encoding"]).toBe("gzip")
    expect(raw.body.length).toBeLessThan(8 * 1024)
    const decoded = gunzipSync(raw.body)
    expect(decoded.length).toBe(4 * 1024 * 1024)
    expect(decoded.every((b) => b === 0)).toBe(true)
  })

  it("/zeros/:n sends n zeros with their Content-Length", async () => {
    const raw = await rawRequest(`${httpbin().url}/zeros/200000`)
    expect(raw.headers["content-length"]).toBe("200000")
    expect(raw.body.length).toBe(200_000)
    expect(raw.body.every((b) => b === 0)).toBe(true)
  })

  it("/sha256 tells the length and SHA-256 of the body it got", async () => {
    const res = await fetch(`${httpbin().url}/sha256`, { method: "PUT", body: "abc" })
    const body = await res.json() as { bytes: number; sha256: string }
    expect(body).toMatchObject({
      bytes: 3,
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    })
  })
})
