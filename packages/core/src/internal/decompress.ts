/**
 * Content-Encoding decoding as urllib3 does it for requests: gzip, deflate (zlib-wrapped or raw)
 * and br, for a whole body or a stream of chunks.
 *
 * @internal
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { Duplex } from "node:stream"
import { promisify } from "node:util"
import * as zlib from "node:zlib"
import { BodyTooLarge, ContentDecodingError, type SendError } from "../Errors.js"
import * as Task from "../Task.js"
import type * as Transport from "../Transport.js"

/** The request a body belongs to, for errors. */
export interface BodyInfo {
  readonly method: string
  readonly url: string
}

type Coding = "gzip" | "deflate" | "br"

// Bodies below this are decoded synchronously: a thread-pool round trip costs more than it saves.
// Larger ones go to the thread pool so the event loop is not blocked for long.
const SYNC_LIMIT = 64 * 1024

/** The limit on a body read whole when none is given (see `Session.defaultMaxBodySize`). */
export const defaultMaxBodySize = 1024 * 1024 * 1024

// urllib3 is lenient about a body that stops early (it flushes what it has); so are these options.
const zlibOptions: zlib.ZlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
const brotliOptions: zlib.BrotliOptions = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }

/**
 * The options of a whole-body decoding under a limit: zlib stops at `maxOutputLength` (a RangeError)
 * without producing more, so a bomb never expands past the limit. Those of the default limit are made once.
 */
interface Limited {
  readonly zlib: zlib.ZlibOptions
  readonly brotli: zlib.BrotliOptions
  readonly limit: number | undefined
}
const limited = (limit: number | undefined): Limited =>
  limit === undefined || limit >= maxOutput
    ? unlimited
    : { zlib: { ...zlibOptions, maxOutputLength: limit + 1 }, brotli: { ...brotliOptions, maxOutputLength: limit + 1 }, limit }
// zlib refuses a maxOutputLength above buffer.kMaxLength.
const maxOutput = 2 ** 32
const unlimited: Limited = { zlib: zlibOptions, brotli: brotliOptions, limit: undefined }
const defaultLimited: Limited = limited(defaultMaxBodySize)
const optionsFor = (limit: number | undefined): Limited => limit === defaultMaxBodySize ? defaultLimited : limited(limit)

const single: Readonly<Record<string, ReadonlyArray<Coding>>> = {
  gzip: ["gzip"],
  "x-gzip": ["gzip"],
  deflate: ["deflate"],
  br: ["br"]
}
const none: ReadonlyArray<Coding> = []

const codingOf = (token: string): Coding | "identity" | undefined => {
  switch (token) {
    case "gzip":
    case "x-gzip":
      return "gzip"
    case "deflate":
    case "br":
      return token
    case "identity":
    case "":
      return "identity"
    default:
      return undefined
  }
}

/**
 * The codings to undo, in the order to undo them (the reverse of the header's). Decoding stops at
 * an unknown coding (zstd, compress, ...): what lies beneath it cannot be reached, so the body is
 * left as it is from there on, as urllib3 leaves a body with an unknown encoding.
 */
const codingsToUndo = (contentEncoding: string | undefined): ReadonlyArray<Coding> => {
  if (contentEncoding === undefined || contentEncoding === "") return none
  const fast = single[contentEncoding]
  if (fast !== undefined) return fast
  const tokens = contentEncoding.toLowerCase().split(",")
  const out: Array<Coding> = []
  for (let i = tokens.length - 1; i >= 0; i--) {
    const coding = codingOf(tokens[i]!.trim())
    if (coding === undefined) break
    if (coding !== "identity") out.push(coding)
  }
  return out
}

/**
 * The body decoded from its Content-Encoding: "gzip"/"x-gzip", "deflate" (zlib-wrapped, else raw
 * deflate, as browsers and urllib3 accept), "br", "identity", or a comma list undone from the
 * last coding to the first. An unknown or absent encoding, or an empty body, is left as it is.
 * Concatenated gzip members are all decoded; a body that stops early decodes to what it holds.
 * Under 64 KiB it is decoded on the call, and the result is an `Exit`.
 */
/**
 * The whole body of a response that is not the answer (a redirect that is followed, a status retries gave
 * up on), to be looked at, not to fail the request: read whole when it is still on the wire, decoded when it
 * decodes, else kept raw.
 */
export const readAside = (
  raw: Transport.RawResponse,
  info: BodyInfo,
  limit: number | undefined = defaultMaxBodySize
): Effect.Effect<Uint8Array, SendError> => {
  const bytes = raw.bodyStream === undefined
    ? Effect.succeed(raw.body)
    : Effect.map(Stream.runCollect(limitStream(raw.bodyStream, limit, info)), (chunks) => Buffer.concat(Array.from(chunks)))
  return Effect.flatMap(bytes, (body) =>
    decodeContent(raw.headers.get("content-encoding"), body, info, limit).pipe(
      Effect.orElseSucceed(() => body)
    ))
}

/**
 * The stream, failing with `BodyTooLarge` as soon as more than `limit` bytes went through (the bytes
 * past it are not emitted); `undefined`: as it is.
 */
export const limitStream = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  limit: number | undefined,
  info: BodyInfo
): Stream.Stream<Uint8Array, E | BodyTooLarge, R> => {
  if (limit === undefined || limit === Infinity) return stream
  return Stream.suspend(() => {
    let size = 0
    return Stream.mapChunksEffect(stream, (chunk) => {
      Chunk.forEach(chunk, (bytes) => {
        size += bytes.length
      })
      return size > limit
        ? Effect.fail(new BodyTooLarge({ method: info.method, url: info.url, limit, size }))
        : Effect.succeed(chunk)
    })
  })
}

export const decodeContent = (
  contentEncoding: string | undefined,
  body: Uint8Array,
  info: BodyInfo,
  limit: number | undefined = defaultMaxBodySize
): Task.Step<Uint8Array, ContentDecodingError | BodyTooLarge> => {
  const codings = codingsToUndo(contentEncoding)
  if (codings.length === 0 || body.length === 0) return Exit.succeed(body)
  const options = optionsFor(limit)
  return codings.reduce<Task.Step<Uint8Array, ContentDecodingError | BodyTooLarge>>(
    (step, coding) => Task.flatMapStep(step, (input) => decodeOne(coding, input, info, options)),
    Exit.succeed(body)
  )
}

const decodeOne = (
  coding: Coding,
  input: Uint8Array,
  info: BodyInfo,
  options: Limited
): Task.Step<Uint8Array, ContentDecodingError | BodyTooLarge> => {
  if (input.length === 0) return Exit.succeed(input)
  // A small body is decoded right here, into an `Exit`: a task's fast path needs no fiber for it.
  if (input.length < SYNC_LIMIT) {
    try {
      return checked(compact(decodeSync(coding, input, options)), info, options)
    } catch (cause) {
      return Exit.fail(decodingError(coding, info, cause, options))
    }
  }
  return Task.continueWith(
    Effect.flatMap(
      Effect.tryPromise({
        try: () => decodeAsync(coding, input, options),
        catch: (cause) => decodingError(coding, info, cause, options)
      }),
      (output) => checked(output, info, options)
    )
  )
}

// zlib stops one byte past the limit: a body of exactly `limit` bytes passes.
const checked = (output: Uint8Array, info: BodyInfo, options: Limited): Exit.Exit<Uint8Array, BodyTooLarge> =>
  options.limit !== undefined && output.length > options.limit
    ? Exit.fail(new BodyTooLarge({ method: info.method, url: info.url, limit: options.limit, size: output.length }))
    : Exit.succeed(output)

const decodingError = (
  encoding: Coding,
  info: BodyInfo,
  cause: unknown,
  options: Limited = unlimited
): ContentDecodingError | BodyTooLarge =>
  options.limit !== undefined && (cause as { readonly code?: unknown } | null)?.code === "ERR_BUFFER_TOO_LARGE"
    ? new BodyTooLarge({ method: info.method, url: info.url, limit: options.limit, size: options.limit + 1, cause })
    : new ContentDecodingError({ method: info.method, url: info.url, encoding, cause })

const decodeSync = (coding: Coding, input: Uint8Array, options: Limited): Buffer => {
  switch (coding) {
    case "gzip":
      return zlib.gunzipSync(input, options.zlib)
    case "br":
      return zlib.brotliDecompressSync(input, options.brotli)
    case "deflate": {
      const [first, second] = isZlibHeader(input)
        ? [zlib.inflateSync, zlib.inflateRawSync]
        : [zlib.inflateRawSync, zlib.inflateSync]
      try {
        return first(input, options.zlib)
      } catch (error) {
        if ((error as { readonly code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw error
        try {
          return second(input, options.zlib)
        } catch {
          throw error
        }
      }
    }
  }
}

// "deflate" is meant to be zlib-wrapped (RFC 9110), but servers also send it raw, which browsers
// and urllib3 accept. A zlib header is CM = 8 with FCHECK making the first two bytes a multiple
// of 31; the other reading is still tried if the first fails, as urllib3 tries both.
const isZlibHeader = (input: Uint8Array): boolean =>
  input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0

const gunzip = promisify(zlib.gunzip)
const inflate = promisify(zlib.inflate)
const inflateRaw = promisify(zlib.inflateRaw)
const brotliDecompress = promisify(zlib.brotliDecompress)

const decodeAsync = (coding: Coding, input: Uint8Array, options: Limited): Promise<Uint8Array> => {
  switch (coding) {
    case "gzip":
      return gunzip(input, options.zlib)
    case "br":
      return brotliDecompress(input, options.brotli)
    case "deflate": {
      const [first, second] = isZlibHeader(input) ? [inflate, inflateRaw] : [inflateRaw, inflate]
      return first(input, options.zlib).catch((error: unknown) =>
        (error as { readonly code?: unknown }).code === "ERR_BUFFER_TOO_LARGE"
          ? Promise.reject(error)
          : second(input, options.zlib).catch(() => Promise.reject(error))
      )
    }
  }
}

// zlib's sync output for a small body is a view on a 16 KiB chunk: copy it out rather than keep
// the whole chunk alive for as long as the response lives.
const compact = (buffer: Buffer): Uint8Array =>
  buffer.buffer.byteLength - buffer.length > 4096 ? new Uint8Array(buffer) : buffer

// ---------------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------------

/**
 * `decodeContent` for a body read chunk by chunk: each coding is undone through a zlib stream, so
 * memory stays bounded by the chunk size and the stream's backpressure holds. Decoding failures
 * fail the stream with `ContentDecodingError`; the source's own failures pass through.
 */
export const decodeStream = <E, R>(
  contentEncoding: string | undefined,
  stream: Stream.Stream<Uint8Array, E, R>,
  info: BodyInfo,
  limit?: number | undefined
): Stream.Stream<Uint8Array, E | ContentDecodingError | BodyTooLarge, R> => {
  let out: Stream.Stream<Uint8Array, E | ContentDecodingError, R> = stream
  for (const coding of codingsToUndo(contentEncoding)) out = decodeStreamOne(coding, out, info)
  // Counted after decoding: zlib's output is read as it is pulled, so nothing past the limit is made.
  return limitStream(out, limit, info)
}

const decodeStreamOne = <E, R>(
  coding: Coding,
  stream: Stream.Stream<Uint8Array, E, R>,
  info: BodyInfo
): Stream.Stream<Uint8Array, E | ContentDecodingError, R> => {
  const onError = (cause: unknown) =>
    new ContentDecodingError({ method: info.method, url: info.url, encoding: coding, cause })
  switch (coding) {
    case "gzip":
      return pipeThrough(stream, () => zlib.createGunzip(zlibOptions), onError)
    case "br":
      return pipeThrough(stream, () => zlib.createBrotliDecompress(brotliOptions), onError)
    case "deflate":
      return inflateStream(stream, onError)
  }
}

// With the lenient flush options an empty input (HEAD, 204, 304) decodes to nothing, not an error.
const pipeThrough = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  duplex: () => Duplex,
  onError: (cause: unknown) => ContentDecodingError
): Stream.Stream<Uint8Array, E | ContentDecodingError, R> =>
  Stream.pipeThroughChannelOrFail(stream, Channel.suspend(() => duplexChannel<E>(duplex(), onError)))

/**
 * A zlib stream as a channel, one input chunk at a time: write it, then hand over the output as it
 * is read until zlib has taken the whole chunk (its write callback); at the end of the input, end
 * the zlib stream and hand over the rest. The output is read, not listened to: zlib stops while its
 * readable side is full, so a small chunk that inflates to gigabytes comes out piece by piece, as
 * fast as the consumer takes it. The zlib stream is destroyed when the channel ends in any way.
 */
const duplexChannel = <E>(
  duplex: Duplex,
  onError: (cause: unknown) => ContentDecodingError
): Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E | ContentDecodingError, E, unknown, unknown> => {
  let failure: { readonly cause: unknown } | undefined
  let written = false
  let ended = false
  // Set by every event; the wait below returns at once if one came since the last look.
  let signalled = false
  let wake: (() => void) | undefined
  const signal = () => {
    signalled = true
    const resume = wake
    wake = undefined
    resume?.()
  }
  const event = Effect.async<void>((resume) => {
    if (signalled) return resume(Effect.void)
    wake = () => resume(Effect.void)
    return Effect.sync(() => (wake = undefined))
  })
  duplex.on("readable", signal)
  duplex.on("end", () => {
    ended = true
    signal()
  })
  duplex.on("error", (cause) => {
    failure ??= { cause }
    signal()
  })

  // Hands over what zlib has produced until `done()` holds (or zlib fails).
  const drain = (done: () => boolean): Channel.Channel<Chunk.Chunk<Uint8Array>, unknown, ContentDecodingError> =>
    Channel.suspend(() => {
      signalled = false
      const out: Array<Uint8Array> = []
      for (let item: Uint8Array | null; (item = duplex.read() as Uint8Array | null) !== null;) out.push(item)
      if (out.length > 0) return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), drain(done))
      if (failure !== undefined) return Channel.fail(onError(failure.cause))
      if (done()) return Channel.void
      return Channel.zipRight(Channel.fromEffect(event), drain(done))
    })

  const loop: Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E | ContentDecodingError, E, unknown, unknown> =
    Channel.readWithCause({
      onInput: (chunk: Chunk.Chunk<Uint8Array>) => {
        if (chunk.length === 0) return loop
        // Every write is a trip to the thread pool: the chunks that arrived together go at once.
        // (Network reads usually arrive one at a time, and pass through untouched.)
        const input = chunk.length === 1 ? Chunk.unsafeHead(chunk) : Buffer.concat(Chunk.toReadonlyArray(chunk))
        written = false
        duplex.write(input, (cause) => {
          if (cause) failure ??= { cause }
          written = true
          signal()
        })
        return Channel.zipRight(drain(() => written), loop)
      },
      onFailure: Channel.failCause,
      onDone: () => {
        duplex.end()
        return drain(() => ended)
      }
    })

  return Channel.ensuring(loop, Effect.sync(() => duplex.destroy()))
}

// A stream cannot be replayed into the other decoder once one fails, so the header decides alone.
const inflateStream = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  onError: (cause: unknown) => ContentDecodingError
): Stream.Stream<Uint8Array, E | ContentDecodingError, R> =>
  Stream.unwrapScoped(Effect.map(Stream.peel(stream, firstBytes(2)), ([head, rest]) => {
    if (head.length === 0) return Stream.empty
    const isZlib = isZlibHeader(head)
    return pipeThrough(
      Stream.concat(Stream.succeed(head), rest),
      () => isZlib ? zlib.createInflate(zlibOptions) : zlib.createInflateRaw(zlibOptions),
      onError
    )
  }))

interface Head {
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly size: number
}

// Takes whole chunks until at least `n` bytes (or the end), leaving the rest of the stream as is.
const firstBytes = (n: number): Sink.Sink<Uint8Array, Uint8Array, Uint8Array> =>
  Sink.map(
    Sink.fold<Head, Uint8Array>(
      { chunks: [], size: 0 },
      (head) => head.size < n,
      (head, chunk) => ({ chunks: [...head.chunks, chunk], size: head.size + chunk.length })
    ),
    (head) => head.chunks.length === 1 ? head.chunks[0]! : Buffer.concat(head.chunks, head.size)
  )
