import { BodyTooLarge, FuturesSession, type Progress, Session, UnrewindableBodyError } from "requests-futures"
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { afterAll, describe, expect, it } from "vitest"
import { sleep, useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const session = new Session()
afterAll(() => session.close())

const MIB = 1024 * 1024

describe("streamed downloads", () => {
  it("with maxWorkers 1, a second request waits until the first streamed body is read; close() frees it", async () => {
    await using futures = new FuturesSession({ maxWorkers: 1 })
    const first = await futures.get(`${httpbin.url}/zeros/${4 * MIB}`, { stream: true })
    const second = futures.get(`${httpbin.url}/get`)
    await sleep(300)
    expect(second.done()).toBe(false)
    await first.close()
    expect((await second).statusCode).toBe(200)
  })

  it("releaseSlotAtHeaders gives the worker back at the headers, as Python's requests-futures", async () => {
    await using futures = new FuturesSession({ maxWorkers: 1, connections: 2, releaseSlotAtHeaders: true })
    await using first = await futures.get(`${httpbin.url}/zeros/${4 * MIB}`, { stream: true })
    const second = await futures.get(`${httpbin.url}/get`).result(2_000)
    expect(second.statusCode).toBe(200)
    expect(first.statusCode).toBe(200)
  })

  it("await using a streamed response closes its connection at the end of the block (the server sees it)", async () => {
    {
      await using response = await session.get(`${httpbin.url}/zeros/${16 * MIB}`, {
        stream: true,
        headers: { "X-Track-Id": "facade-await-using" }
      })
      expect(response.statusCode).toBe(200)
    }
    expect(await httpbin.server.waitForClientClose("facade-await-using", 2000)).toBe(true)
  })

  it("body is a web ReadableStream of the decoded body", async () => {
    const response = await session.get(`${httpbin.url}/gzip`, { stream: true })
    const text = await new Response(response.body).text()
    expect(JSON.parse(text)).toMatchObject({ gzipped: true })
    expect(response.body).toBe(response.body)
  })

  it("iterLines yields the lines of a streamed body without their ends", async () => {
    const response = await session.get(`${httpbin.url}/stream/5`, { stream: true })
    const ids: Array<number> = []
    for await (const line of response.iterLines()) ids.push((JSON.parse(line) as { readonly id: number }).id)
    expect(ids).toEqual([0, 1, 2, 3, 4])
  })

  it("breaking out of iterContent closes the socket", async () => {
    const response = await session.get(`${httpbin.url}/zeros/${64 * MIB}`, {
      stream: true,
      headers: { "X-Track-Id": "facade-break" }
    })
    let seen = 0
    for await (const chunk of response.iterContent()) {
      seen += chunk.byteLength
      if (seen > MIB) break
    }
    expect(await httpbin.server.waitForClientClose("facade-break", 2000)).toBe(true)
  })
})

describe("maxBodySize", () => {
  it("a gzip bomb rejects with BodyTooLarge, read whole or streamed", async () => {
    const whole = await session.get(`${httpbin.url}/bomb/1024`, { maxBodySize: 8 * MIB }).catch((e: unknown) => e)
    expect(whole).toBeInstanceOf(BodyTooLarge)
    expect(whole).toMatchObject({ limit: 8 * MIB, request: { method: "GET" } })
    await using bounded = new Session({ maxBodySize: 8 * MIB })
    const streamed = await bounded.get(`${httpbin.url}/bomb/1024`, { stream: true })
    const error = await (async () => {
      for await (const chunk of streamed.iterContent()) void chunk
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BodyTooLarge)
  })
})

describe("uploads and progress", () => {
  it("a Node stream arrives intact, chunked, with upload progress ending at its size", async () => {
    const payload = new Uint8Array(MIB).map((_, i) => i & 0xff)
    const events: Array<Progress> = []
    const response = await session.post(`${httpbin.url}/sha256`, {
      data: Readable.from([payload.subarray(0, MIB / 2), payload.subarray(MIB / 2)]),
      onUploadProgress: (progress) => events.push(progress)
    })
    const got = response.json<{ bytes: number; sha256: string; headers: Record<string, string> }>()
    expect(got.bytes).toBe(MIB)
    expect(got.sha256).toBe(createHash("sha256").update(payload).digest("hex"))
    expect(got.headers["Transfer-Encoding"]).toBe("chunked")
    expect(events.at(-1)).toEqual({ transferred: MIB })
  })

  it("a stream body on a 307 rejects with UnrewindableBodyError", async () => {
    const error = await session.post(`${httpbin.url}/redirect-to`, {
      params: { url: "/post", status_code: 307 },
      data: Readable.from(["once"])
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnrewindableBodyError)
    expect(error).toMatchObject({ status: 307 })
  })

  it("download progress is monotonic and ends at the body's size", async () => {
    const events: Array<Progress> = []
    await session.get(`${httpbin.url}/zeros/${2 * MIB}`, { onDownloadProgress: (progress) => events.push(progress) })
    expect(events.at(-1)).toEqual({ transferred: 2 * MIB, total: 2 * MIB, percent: 100 })
    expect(events.every((e, i) => i === 0 || e.transferred >= events[i - 1]!.transferred)).toBe(true)
  })
})
