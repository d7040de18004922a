import { describe, expect, layer } from "@effect/vitest"
import { FuturesSession, type Request, Response, Session } from "@requests-futures/core"
import { Httpbin } from "@requests-futures/httpbin"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { openAsBlob } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import * as v8 from "node:v8"
import * as vm from "node:vm"

const MIB = 1024 * 1024

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

/** Real time for the tests that wait on it (sockets and timers do not follow the TestClock). */
const live = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withClock(effect, Clock.make())

/** What httpbin's /sha256 says of the body it got. */
interface Digest {
  readonly bytes: number
  readonly sha256: string
  readonly headers: Readonly<Record<string, string>>
}

const digestOf = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Digest)

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** 1 MiB of bytes that are not all alike, and its chunks of 64 KiB. */
const payload = Uint8Array.from({ length: MIB }, (_, i) => (i * 31 + (i >> 10)) & 0xff)
const pieces = (): Array<Uint8Array> =>
  Array.from({ length: MIB / (64 * 1024) }, (_, i) => payload.subarray(i * 64 * 1024, (i + 1) * 64 * 1024))

const size = (chunks: Chunk.Chunk<Uint8Array>): number => Chunk.reduce(chunks, 0, (n, c) => n + c.byteLength)

layer(Httpbin.layer())("Bodies", (it) => {
  describe("the slot while streaming", () => {
    it.effect("with maxWorkers 1, a second request waits until the first streamed body is read", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make({ maxWorkers: 1 })
        const streamed = yield* (yield* session.get(`${url}/zeros/${4 * MIB}`, { stream: true }))
        const next = yield* session.get(`${url}/get`)
        yield* Effect.sleep("300 millis")
        expect(next.unsafeState()).toBe("pending")
        expect((yield* session.executor.stats).retained).toBe(1)
        const read = yield* Stream.runCollect(Response.iterContent(streamed))
        expect(size(read)).toBe(4 * MIB)
        expect((yield* next).statusCode).toBe(200)
        expect((yield* session.executor.stats).retained).toBe(0)
      }).pipe(Effect.scoped, live))

    it.effect("with releaseSlotAtHeaders, the second request runs at once", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        // The pool is sized to the workers: the unread body keeps one connection, the next one needs its own.
        const session = yield* FuturesSession.make({ maxWorkers: 1, connections: 2, releaseSlotAtHeaders: true })
        const streamed = yield* (yield* session.get(`${url}/zeros/${4 * MIB}`, { stream: true }))
        const next = yield* (yield* session.get(`${url}/get`)).result({ timeout: "2 seconds" })
        expect(next.statusCode).toBe(200)
        expect((yield* session.executor.stats).retained).toBe(0)
        yield* Response.close(streamed)
      }).pipe(Effect.scoped, live))

    it.effect("an abandoned streamed body fails with ReadTimeout and frees its slot and connection", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const session = yield* FuturesSession.make({ maxWorkers: 1, timeout: { read: 200 } })
        const abandoned = yield* (yield* session.get(`${server.url}/zeros/${16 * MIB}`, {
          stream: true,
          headers: { "X-Track-Id": "abandoned-body" }
        }))
        const started = performance.now()
        const next = yield* (yield* session.get(`${server.url}/get`)).result({ timeout: "3 seconds" })
        expect(next.statusCode).toBe(200)
        expect(performance.now() - started).toBeGreaterThanOrEqual(150)
        expect(yield* Effect.promise(() => server.waitForClientClose("abandoned-body", 2000))).toBe(true)
        const error = yield* Effect.flip(Stream.runDrain(Response.iterContent(abandoned)))
        expect(error).toMatchObject({ _tag: "ReadTimeout", phase: "body", timeoutMs: 200 })
      }).pipe(Effect.scoped, live))

    it.effect("a reader slower than the read timeout is not one that stopped: each chunk it takes counts", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ timeout: { read: 300 } })
        const response = yield* session.get(`${url}/zeros/${2 * MIB}`, { stream: true })
        let total = 0
        yield* Stream.runForEach(Response.iterContent(response), (chunk) => {
          total += chunk.byteLength
          return total < 256 * 1024 ? Effect.sleep("20 millis") : Effect.void
        })
        expect(total).toBe(2 * MIB)
      }).pipe(Effect.scoped, live))

    it.effect("interrupting the reader mid-body closes the socket (the server sees it) and frees the slot", () =>
      Effect.gen(function*() {
        const server = yield* Httpbin
        const session = yield* FuturesSession.make({ maxWorkers: 1 })
        const response = yield* (yield* session.get(`${server.url}/zeros/${64 * MIB}`, {
          stream: true,
          headers: { "X-Track-Id": "cancel-mid-body" }
        }))
        let seen = 0
        const reader = yield* Effect.fork(
          Stream.runForEach(Response.iterContent(response), (chunk) => Effect.sync(() => (seen += chunk.byteLength)))
        )
        yield* Effect.sleep("50 millis")
        yield* Fiber.interrupt(reader)
        expect(seen).toBeGreaterThan(0)
        expect(seen).toBeLessThan(64 * MIB)
        expect(yield* Effect.promise(() => server.waitForClientClose("cancel-mid-body", 2000))).toBe(true)
        expect((yield* session.executor.stats).retained).toBe(0)
      }).pipe(Effect.scoped, live))

    it.effect("an unread streamed response that is garbage-collected gives its slot back", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* FuturesSession.make({ maxWorkers: 1 })
        yield* Effect.asVoid(yield* session.get(`${url}/zeros/${16 * MIB}`, { stream: true }))
        expect((yield* session.executor.stats).retained).toBe(1)
        for (let i = 0; i < 20 && (yield* session.executor.stats).retained > 0; i++) {
          gc()
          yield* Effect.sleep("20 millis")
        }
        expect((yield* session.executor.stats).retained).toBe(0)
      }).pipe(Effect.scoped, live))
  })

  describe("maxBodySize", () => {
    it.effect("a Content-Length above it fails BodyTooLarge before the body is read", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const error = yield* Effect.flip(session.get(`${url}/zeros/${2 * MIB}`, { maxBodySize: MIB }))
        expect(error).toMatchObject({ _tag: "BodyTooLarge", limit: MIB, size: 2 * MIB })
        expect(error.message).toContain("maxBodySize")
      }).pipe(Effect.scoped))

    it.effect("a chunked body fails as soon as it passes the limit (session setting)", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ maxBodySize: 50_000 })
        const error = yield* Effect.flip(session.get(`${url}/stream-bytes/100000?chunk_size=1000`))
        expect(error).toMatchObject({ _tag: "BodyTooLarge", limit: 50_000 })
        expect(yield* Effect.map(session.get(`${url}/stream-bytes/50000`), (r) => r.content.length)).toBe(50_000)
      }).pipe(Effect.scoped))

    it.effect("a small gzip bomb (decoded on the spot) fails BodyTooLarge", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const error = yield* Effect.flip(session.get(`${url}/bomb/32`, { maxBodySize: MIB }))
        expect(error).toMatchObject({ _tag: "BodyTooLarge", limit: MIB })
        const fits = yield* session.get(`${url}/bomb/1`, { maxBodySize: MIB })
        expect(fits.content.length).toBe(MIB)
      }).pipe(Effect.scoped))

    it.effect("a 1 MiB gzip that expands to 1 GiB fails BodyTooLarge without allocating the expansion", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const before = process.memoryUsage()
        const error = yield* Effect.flip(session.get(`${url}/bomb/1024`, { maxBodySize: 8 * MIB }))
        const after = process.memoryUsage()
        expect(error).toMatchObject({ _tag: "BodyTooLarge", limit: 8 * MIB })
        expect(after.rss - before.rss).toBeLessThan(256 * MIB)
        expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * MIB)
      }).pipe(Effect.scoped))

    it.effect("a streamed gzip bomb fails while it is read, and readBody applies the limit too", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const streamed = yield* session.get(`${url}/bomb/1024`, { stream: true, maxBodySize: 8 * MIB })
        let seen = 0
        const error = yield* Effect.flip(
          Stream.runForEach(Response.iterContent(streamed), (chunk) => Effect.sync(() => (seen += chunk.length)))
        )
        expect(error).toMatchObject({ _tag: "BodyTooLarge", limit: 8 * MIB })
        expect(seen).toBeLessThanOrEqual(8 * MIB)
        const again = yield* session.get(`${url}/bomb/64`, { stream: true, maxBodySize: 8 * MIB })
        expect(yield* Effect.flip(Response.readBody(again))).toMatchObject({ _tag: "BodyTooLarge" })
      }).pipe(Effect.scoped))

    it.effect("a bad maxBodySize is an InvalidOption", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const error = yield* Effect.flip(session.get(`${url}/get`, { maxBodySize: -1 }))
        expect(error).toMatchObject({ _tag: "InvalidOption", option: "maxBodySize" })
        expect(Session.defaultMaxBodySize).toBe(1024 * MIB)
      }).pipe(Effect.scoped))
  })

  describe("uploads from streams", () => {
    const kinds: ReadonlyArray<readonly [string, () => Request.Data, boolean]> = [
      [
        "a web ReadableStream",
        () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (const piece of pieces()) controller.enqueue(piece)
              controller.close()
            }
          }),
        false
      ],
      ["a Node Readable", () => Readable.from(pieces()), false],
      [
        "an async iterable of bytes",
        () =>
          (async function*() {
            for (const piece of pieces()) yield piece
          })(),
        false
      ],
      ["a Blob (streamed, its size known)", () => new Blob([payload]), true]
    ]
    for (const [name, make, known] of kinds) {
      it.effect(`${name} arrives intact, ${known ? "with Content-Length" : "chunked"}`, () =>
        Effect.gen(function*() {
          const { url } = yield* Httpbin
          const session = yield* Session.make()
          const got = yield* digestOf(yield* session.post(`${url}/sha256`, { data: make() }))
          expect(got.bytes).toBe(MIB)
          expect(got.sha256).toBe(sha256(payload))
          if (known) expect(got.headers["Content-Length"]).toBe(String(MIB))
          else {
            expect(got.headers["Transfer-Encoding"]).toBe("chunked")
            expect(got.headers["Content-Length"]).toBeUndefined()
          }
        }).pipe(Effect.scoped))
    }

    it.effect("a file from fs.openAsBlob arrives intact with its length", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "rf-upload-"))),
          (dir) => Effect.promise(() => rm(dir, { recursive: true }))
        )
        const path = join(dir, "payload.bin")
        yield* Effect.promise(() => writeFile(path, payload))
        const file = yield* Effect.promise(() => openAsBlob(path))
        const session = yield* Session.make()
        const got = yield* digestOf(yield* session.put(`${url}/sha256`, { data: file }))
        expect(got).toMatchObject({ bytes: MIB, sha256: sha256(payload) })
        expect(got.headers["Content-Length"]).toBe(String(MIB))
      }).pipe(Effect.scoped))

    it.effect("multipart parts may be streams and Blobs: each arrives intact", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const response = yield* session.post(`${url}/post`, {
          data: { field: "value" },
          files: {
            stream: { filename: "s.txt", content: Readable.from(["streamed ", "text"]) },
            blob: new File(["blob text"], "b.txt", { type: "text/plain" })
          }
        })
        const body = (yield* Response.json(response)) as {
          readonly files: Readonly<Record<string, string>>
          readonly form: Readonly<Record<string, string>>
          readonly headers: Readonly<Record<string, string>>
        }
        expect(body.files).toEqual({ stream: "streamed text", blob: "blob text" })
        expect(body.form).toEqual({ field: "value" })
        expect(body.headers["Transfer-Encoding"]).toBe("chunked")
      }).pipe(Effect.scoped))

    it.effect("a stream body on a 307 to another URL of the origin fails UnrewindableBody", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const error = yield* Effect.flip(
          session.post(`${url}/redirect-to`, {
            params: { url: "/post", status_code: 307 },
            data: Readable.from([new Uint8Array([1, 2, 3])])
          })
        )
        expect(error).toMatchObject({ _tag: "UnrewindableBody", status: 307, location: `${url}/post` })
        // A Blob can be read again: it follows the 307.
        const blob = yield* session.post(`${url}/redirect-to`, {
          params: { url: "/sha256", status_code: 307 },
          data: new Blob([payload])
        })
        expect(yield* digestOf(blob)).toMatchObject({ bytes: MIB, sha256: sha256(payload) })
      }).pipe(Effect.scoped))

    it.effect("a source that fails is an InvalidBody", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const error = yield* Effect.flip(session.post(`${url}/post`, {
          data: (async function*() {
            yield new Uint8Array(10)
            throw new Error("disk on fire")
          })()
        }))
        expect(error).toMatchObject({ _tag: "InvalidBody", reason: "reading the body's source failed" })
        expect((error.cause as Error).message).toBe("disk on fire")
      }).pipe(Effect.scoped))
  })

  describe("progress", () => {
    const monotonic = (events: ReadonlyArray<Request.Progress>) =>
      events.every((e, i) => i === 0 || e.transferred >= events[i - 1]!.transferred)

    it.effect("download progress is monotonic and ends at the body's size", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const events: Array<Request.Progress> = []
        const response = yield* session.get(`${url}/zeros/${4 * MIB}`, { onDownloadProgress: (p) => events.push(p) })
        expect(response.content.length).toBe(4 * MIB)
        expect(events[0]).toEqual({ transferred: 0, total: 4 * MIB, percent: 0 })
        expect(events.at(-1)).toEqual({ transferred: 4 * MIB, total: 4 * MIB, percent: 100 })
        expect(monotonic(events)).toBe(true)
        // throttled: far fewer events than chunks
        expect(events.length).toBeLessThan(64)
      }).pipe(Effect.scoped))

    it.effect("a streamed download without a length reports no total", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const events: Array<Request.Progress> = []
        const response = yield* session.get(`${url}/stream-bytes/50000?chunk_size=5000`, {
          stream: true,
          onDownloadProgress: (p) => events.push(p)
        })
        yield* Stream.runDrain(Response.iterContent(response))
        expect(events.at(-1)).toEqual({ transferred: 50_000 })
        expect(monotonic(events)).toBe(true)
      }).pipe(Effect.scoped))

    it.effect("upload progress is monotonic and ends at the body's size, bytes and streams alike", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const bytes: Array<Request.Progress> = []
        yield* session.post(`${url}/sha256`, { data: payload, onUploadProgress: (p) => bytes.push(p) })
        expect(bytes.at(-1)).toEqual({ transferred: MIB, total: MIB, percent: 100 })
        expect(monotonic(bytes)).toBe(true)
        const streamed: Array<Request.Progress> = []
        const got = yield* digestOf(
          yield* session.post(`${url}/sha256`, {
            data: Readable.from(pieces()),
            onUploadProgress: (p) => streamed.push(p)
          })
        )
        expect(got.sha256).toBe(sha256(payload))
        expect(streamed.at(-1)).toEqual({ transferred: MIB })
        expect(monotonic(streamed)).toBe(true)
      }).pipe(Effect.scoped))
  })

  describe("progress callbacks that throw", () => {
    it.effect("fail the request with a HookError naming the callback", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const boom = () => {
          throw new Error("boom")
        }
        const down = yield* Effect.flip(session.get(`${url}/zeros/${MIB}`, { onDownloadProgress: boom }))
        expect(down).toMatchObject({ _tag: "HookError", hook: "onDownloadProgress" })
        const streamed = yield* Effect.flip(Effect.flatMap(
          session.get(`${url}/zeros/${MIB}`, { stream: true, onDownloadProgress: boom }),
          (response) => Stream.runDrain(Response.iterContent(response))
        ))
        expect(streamed).toMatchObject({ _tag: "HookError", hook: "onDownloadProgress" })
        const up = yield* Effect.flip(session.post(`${url}/post`, { data: payload, onUploadProgress: boom }))
        expect(up).toMatchObject({ _tag: "HookError", hook: "onUploadProgress" })
      }).pipe(Effect.scoped))
  })

  describe("memory", () => {
    it.effect("32 MiB streamed through iterContent grows RSS by less than 64 MiB", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make()
        const before = process.memoryUsage().rss
        let peak = before
        let total = 0
        const response = yield* session.get(`${url}/zeros/${32 * MIB}`, { stream: true })
        yield* Stream.runForEach(Response.iterContent(response), (chunk) =>
          Effect.sync(() => {
            total += chunk.byteLength
            if ((total & (MIB - 1)) < chunk.byteLength) peak = Math.max(peak, process.memoryUsage().rss)
          }))
        expect(total).toBe(32 * MIB)
        expect(peak - before).toBeLessThan(64 * MIB)
      }).pipe(Effect.scoped, live))
  })
})

layer(Httpbin.layer())("a large body of announced length", (it) => {
  it.scoped("is read into one buffer of its own as it comes: the same bytes as a streamed read of it", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const session = yield* FuturesSession.make()
      const whole = yield* yield* session.get(`${url}/json/big?mb=3`)
      expect(whole.headers.get("content-length")).toBe(String(3 * MIB))
      const streamed = yield* yield* session.get(`${url}/json/big?mb=3`, { stream: true })
      const read = yield* Stream.runCollect(Response.iterContent(streamed))
      expect(size(read)).toBe(3 * MIB)
      expect(sha256(whole.content)).toBe(sha256(Buffer.concat(Chunk.toArray(read))))
      // its own: a background job moves it to a thread without copying it
      expect(whole.content.byteOffset).toBe(0)
      expect(whole.content.buffer.byteLength).toBe(3 * MIB)
    }).pipe(live))
})
