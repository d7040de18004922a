import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as zlib from "node:zlib"
import { decodeContent, decodeStream } from "../../src/internal/decompress.js"

const info = { method: "GET", url: "http://x.org/" }
const plain = Buffer.from("hello, world! ".repeat(50))

// Compressible but not trivially so, and well above the 64 KiB synchronous limit once decoded
// and compressed.
const large = Buffer.concat(
  Array.from({ length: 4000 }, (_, i) => createHash("sha256").update(String(i)).digest("hex") + "\n").map((s) =>
    Buffer.from(s)
  )
)

// Brotli's default quality is slow to compress with; decoding does not care.
const brotli = (bytes: Uint8Array | string) =>
  zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })

const str = (bytes: Uint8Array) => Buffer.from(bytes).toString()
const same = (a: Uint8Array, b: Uint8Array) => expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0)

const splitAt = (bytes: Uint8Array, sizes: ReadonlyArray<number>): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  let offset = 0
  let i = 0
  while (offset < bytes.length) {
    const size = sizes[i++ % sizes.length]!
    out.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return out
}

const collect = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))

describe("decodeContent", () => {
  it.effect.each([
    ["gzip", zlib.gzipSync(plain)],
    ["x-gzip", zlib.gzipSync(plain)],
    ["GZIP", zlib.gzipSync(plain)],
    [" gzip ", zlib.gzipSync(plain)],
    ["deflate", zlib.deflateSync(plain)],
    ["br", brotli(plain)]
  ] as const)("decodes %j", ([encoding, body]) =>
    Effect.gen(function*() {
      same(yield* decodeContent(encoding, body, info), plain)
    }))

  it.effect("decodes raw deflate too, as browsers and urllib3's DeflateDecoder do", () =>
    Effect.gen(function*() {
      same(yield* decodeContent("deflate", zlib.deflateRawSync(plain), info), plain)
    }))

  it.effect.each([undefined, "", "identity", "zstd", "compress", "x-custom"])(
    "leaves the body as it is for %j (urllib3 ignores unknown encodings)",
    (encoding) =>
      Effect.gen(function*() {
        const body = new Uint8Array([1, 2, 3])
        expect(yield* decodeContent(encoding, body, info)).toBe(body)
      })
  )

  it.effect("decodes an empty body to itself (HEAD, 204, 304 responses)", () =>
    Effect.gen(function*() {
      expect((yield* decodeContent("gzip", new Uint8Array(0), info)).length).toBe(0)
      expect((yield* decodeContent("deflate, br", new Uint8Array(0), info)).length).toBe(0)
    }))

  it.effect("undoes a comma list from the last coding to the first (urllib3's MultiDecoder)", () =>
    Effect.gen(function*() {
      const body = zlib.gzipSync(zlib.deflateSync(plain))
      same(yield* decodeContent("deflate, gzip", body, info), plain)
      same(yield* decodeContent("deflate,identity,  gzip", body, info), plain)
      same(yield* decodeContent("br, gzip", zlib.gzipSync(brotli(plain)), info), plain)
    }))

  it.effect("stops at an unknown coding, leaving what lies beneath it", () =>
    Effect.gen(function*() {
      const inner = Buffer.from("custom-encoded")
      same(yield* decodeContent("custom, gzip", zlib.gzipSync(inner), info), inner)
      const untouched = zlib.gzipSync(plain)
      same(yield* decodeContent("gzip, custom", untouched, info), untouched)
    }))

  it.effect("decodes every member of a multi-member gzip body", () =>
    Effect.gen(function*() {
      const body = Buffer.concat([zlib.gzipSync("one "), zlib.gzipSync("two")])
      expect(str(yield* decodeContent("gzip", body, info))).toBe("one two")
    }))

  it.effect("decodes what a truncated body holds, as urllib3 (no error on early end)", () =>
    Effect.gen(function*() {
      const body = zlib.gzipSync(large)
      const decoded = yield* decodeContent("gzip", body.subarray(0, Math.floor(body.length / 2)), info)
      expect(decoded.length).toBeGreaterThan(0)
      expect(decoded.length).toBeLessThan(large.length)
      same(decoded, large.subarray(0, decoded.length))
    }))

  it.effect.each(["gzip", "deflate", "br"])("decodes a large %s body off the event loop", (encoding) =>
    Effect.gen(function*() {
      const body = encoding === "gzip"
        ? zlib.gzipSync(large)
        : encoding === "br"
        ? brotli(large)
        : zlib.deflateRawSync(large)
      expect(body.length).toBeGreaterThan(64 * 1024)
      same(yield* decodeContent(encoding, body, info), large)
    }))

  it.effect.each([
    ["gzip", Buffer.from("this is not gzip")],
    ["deflate", Buffer.from("this is not deflate either, not even raw")],
    ["br", Buffer.from("this is not brotli")],
    ["gzip", Buffer.concat([zlib.gzipSync("ok"), Buffer.from("trailing garbage")])]
  ] as const)("fails with ContentDecodingError for invalid %s", ([encoding, body]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(decodeContent(encoding, body, info))
      expect(error).toMatchObject({ _tag: "ContentDecodingError", encoding, method: "GET", url: "http://x.org/" })
      expect(error.cause).toBeInstanceOf(Error)
      expect(error.message).toContain(`not valid ${encoding}`)
    }))

  it.effect("fails with ContentDecodingError for a large invalid body (async path)", () =>
    Effect.gen(function*() {
      const body = Buffer.alloc(100 * 1024, 0x41)
      const error = yield* Effect.flip(decodeContent("deflate", body, info))
      expect(error).toMatchObject({ _tag: "ContentDecodingError", encoding: "deflate" })
    }))

  it.effect("names the failing coding in a list", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(decodeContent("br, gzip", zlib.gzipSync("not brotli"), info))
      expect(error).toMatchObject({ _tag: "ContentDecodingError", encoding: "br" })
    }))

  it.effect("does not keep zlib's 16 KiB output chunk alive for a small body", () =>
    Effect.gen(function*() {
      const decoded = yield* decodeContent("gzip", zlib.gzipSync("tiny"), info)
      expect(str(decoded)).toBe("tiny")
      expect(decoded.buffer.byteLength).toBeLessThan(1024)
    }))
})

class SourceError extends Data.TaggedError("SourceError") {}

describe("decodeStream", () => {
  // Odd sizes, tiny ones included, each its own stream chunk as network reads are.
  const odd = [1, 7, 13, 1021, 2, 4093, 31, 16411]
  const chunked = (body: Uint8Array, sizes: ReadonlyArray<number>) =>
    Stream.rechunk(Stream.fromIterable(splitAt(body, sizes)), 1)

  it.effect.each([
    ["gzip", zlib.gzipSync(large)],
    ["deflate", zlib.deflateSync(large)],
    ["deflate", zlib.deflateRawSync(large)],
    ["br", brotli(large)],
    ["deflate, gzip", zlib.gzipSync(zlib.deflateSync(large))]
  ] as const)("decodes %s split at odd offsets", ([encoding, body]) =>
    Effect.gen(function*() {
      same(yield* collect(decodeStream(encoding, chunked(body, odd), info)), large)
    }))

  it.effect.each([
    ["gzip", zlib.gzipSync(plain)],
    ["deflate", zlib.deflateSync(plain)],
    ["deflate", zlib.deflateRawSync(plain)]
  ] as const)("decodes %s fed one byte at a time", ([encoding, body]) =>
    Effect.gen(function*() {
      same(yield* collect(decodeStream(encoding, chunked(body, [1]), info)), plain)
    }))

  it.effect("decodes many small pieces that arrive in one stream chunk", () =>
    Effect.gen(function*() {
      const body = zlib.gzipSync(large)
      same(yield* collect(decodeStream("gzip", Stream.fromIterable(splitAt(body, [3, 5])), info)), large)
    }))

  it.effect("decodes a multi-member gzip stream", () =>
    Effect.gen(function*() {
      const body = Buffer.concat([zlib.gzipSync("one "), zlib.gzipSync("two")])
      expect(str(yield* collect(decodeStream("gzip", chunked(body, [5]), info)))).toBe("one two")
    }))

  it.effect("passes the stream through untouched without a known encoding", () =>
    Effect.gen(function*() {
      const stream = Stream.make(new Uint8Array([1]))
      expect(decodeStream(undefined, stream, info)).toBe(stream)
      expect(decodeStream("identity", stream, info)).toBe(stream)
      expect(decodeStream("zstd", stream, info)).toBe(stream)
    }))

  it.effect.each(["gzip", "deflate", "br"])("decodes an empty %s stream to nothing", (encoding) =>
    Effect.gen(function*() {
      expect((yield* collect(decodeStream(encoding, Stream.empty, info))).length).toBe(0)
    }))

  it.effect.each([
    ["gzip", Buffer.from("this is not gzip at all")],
    ["deflate", Buffer.from("this is not deflate either, not even raw")],
    ["br", Buffer.from("this is not brotli")]
  ] as const)("fails with ContentDecodingError for invalid %s", ([encoding, body]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(collect(decodeStream(encoding, chunked(body, [3]), info)))
      expect(error).toMatchObject({ _tag: "ContentDecodingError", encoding, method: "GET" })
    }))

  it.effect("passes the source's failures through", () =>
    Effect.gen(function*() {
      const body = zlib.gzipSync(large)
      const source = Stream.concat(chunked(body.subarray(0, 1000), [100]), Stream.fail(new SourceError()))
      const error = yield* Effect.flip(collect(decodeStream("gzip", source, info)))
      expect(error._tag).toBe("SourceError")
      const early = yield* Effect.flip(collect(decodeStream("deflate", Stream.fail(new SourceError()), info)))
      expect(early._tag).toBe("SourceError")
    }))

  it.effect("hands a body that inflates far beyond its size over in bounded pieces", () =>
    Effect.gen(function*() {
      // 32 MiB of zeros is 32 KiB of gzip: one network read that must not become one huge chunk.
      const bomb = zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024))
      const sizes = yield* Stream.runCollect(
        Stream.take(Stream.map(decodeStream("gzip", Stream.succeed(bomb), info), (chunk) => chunk.length), 16)
      )
      expect(sizes.length).toBe(16)
      for (const size of sizes) expect(size).toBeLessThanOrEqual(64 * 1024)
    }))

  it.effect("emits decoded chunks before the source ends (it streams)", () =>
    Effect.gen(function*() {
      const body = zlib.gzipSync(large)
      // The source fails after most of the body: decoded bytes must already have come out.
      const source = Stream.concat(
        chunked(body.subarray(0, body.length - 10), [4096]),
        Stream.fail(new SourceError())
      )
      let seen = 0
      const error = yield* Effect.flip(
        Stream.runForEach(decodeStream("gzip", source, info), (chunk) => Effect.sync(() => (seen += chunk.length)))
      )
      expect(error._tag).toBe("SourceError")
      expect(seen).toBeGreaterThan(0)
    }))
})
