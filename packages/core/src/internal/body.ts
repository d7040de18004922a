/**
 * Request bodies as requests' `PreparedRequest.prepare_body` builds them: JSON, url-encoded forms,
 * raw strings and bytes, and multipart/form-data (urllib3's `encode_multipart_formdata`).
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { randomBytes } from "node:crypto"
import { InvalidBody } from "../Errors.js"
import type * as Task from "../Task.js"
import { Headers, validate } from "../Headers.js"
import type { Data, FileContent, FileValue, Files, FormFields, StreamSource } from "../Request.js"
import { encodeForm, forEachParam } from "./url.js"

/** The encoded body and the Content-Type it implies (`undefined`: set none). */
export interface EncodedBody {
  readonly body: Uint8Array | undefined
  readonly contentType: string | undefined
  /** A body read from its source as it is sent (then `body` is `undefined`): a new read per call. */
  readonly stream?: (() => AsyncIterable<Uint8Array>) | undefined
  /** The length of `stream` when it is known (a Blob's size): its `Content-Length`. */
  readonly length?: number | undefined
  /** `false` when `stream` can be read once only (a stream given as the source). */
  readonly replayable?: false | undefined
}

/** What `encodeBody` reads from a request; `method` and `url` only describe errors. */
export interface BodyInput {
  readonly method: string
  readonly url: string
  readonly data?: Data | undefined
  readonly json?: unknown
  readonly files?: Files | undefined
}

const encoder = new TextEncoder()
const noBody: Either.Either<EncodedBody, InvalidBody> = Either.right({ body: undefined, contentType: undefined })

const FORM = "application/x-www-form-urlencoded"
const JSON_TYPE = "application/json"

/**
 * requests' `prepare_body`, synchronously.
 *
 * - `files` (non-empty) → multipart/form-data, `data` fields first; `json` is then ignored, as in
 *   requests. A string or bytes `data` next to files → `InvalidBody` (requests: "Data must not be
 *   a string."). Blob file contents need `encodeBodyStep`: here they fail with `InvalidBody`.
 * - else non-empty `data`: form fields → url-encoded; a string → UTF-8 bytes and bytes as they are,
 *   with no Content-Type (requests sets none for them). `json` is ignored, as in requests.
 * - else `json` !== `undefined` → JSON as UTF-8, "application/json". `undefined` means "no json"
 *   (requests' `json=None`); `null` is sent as the JSON text `null`. NaN and ±Infinity become
 *   `null` as JSON.stringify writes them (requests refuses them); BigInt, cycles, functions and
 *   symbols → `InvalidBody`.
 * - else no body.
 */
export const encodeBody = (request: BodyInput): Either.Either<EncodedBody, InvalidBody> => {
  const { data, files } = request
  if (files !== undefined && hasEntries(files)) {
    return Either.map(collectParts(request, files), (parts) =>
      allReady(parts) ? renderMultipart(parts) : streamMultipart(parts))
  }
  if (data !== undefined) {
    if (data instanceof Blob) return Either.right(blobBody(data))
    if (isStreamSource(data)) return Either.right(sourceBody(data))
    if (isNonEmpty(data)) return Either.right(encodeData(data))
  }
  if (request.json !== undefined) return encodeJson(request, request.json)
  return noBody
}

/** Whether `u` is a body read as it is sent: a web `ReadableStream`, or any async iterable (a Node `Readable`). */
export const isStreamSource = (u: unknown): u is StreamSource =>
  typeof u === "object" && u !== null &&
  (typeof (u as { readonly getReader?: unknown }).getReader === "function" || Symbol.asyncIterator in u)

/** A Blob (a file from `fs.openAsBlob`) is read as it is sent, and again for a retry: its size is known. */
const blobBody = (blob: Blob): EncodedBody => ({
  body: undefined,
  contentType: blob.type === "" ? undefined : blob.type,
  stream: () => chunksOf(blob.stream()),
  length: blob.size
})

/** A stream can be read once only, and its length is unknown: it goes chunked, and is never sent again. */
const sourceBody = (source: StreamSource): EncodedBody => ({
  body: undefined,
  contentType: undefined,
  stream: () => chunksOf(source),
  replayable: false
})

/** The bytes of a source: strings (a Node stream with an encoding) as UTF-8; a web stream read through its reader. */
async function* chunksOf(source: StreamSource): AsyncGenerator<Uint8Array> {
  if (!(Symbol.asyncIterator in source)) {
    const reader = (source as ReadableStream<Uint8Array>).getReader()
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value
    } finally {
      reader.releaseLock()
    }
    return
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? encoder.encode(chunk) : chunk
  }
}

/**
 * `encodeBody` as a step: always an `Exit` now that Blob and stream contents are read as they are sent
 * (no Promise and no fiber to encode a body).
 */
export const encodeBodyStep = (request: BodyInput): Task.Step<EncodedBody, InvalidBody> => toExit(encodeBody(request))

const toExit = <A, E>(either: Either.Either<A, E>): Exit.Exit<A, E> =>
  Either.isLeft(either) ? Exit.fail(either.left) : Exit.succeed(either.right)

const fail = (request: BodyInput, reason: string, cause?: unknown): InvalidBody =>
  cause === undefined
    ? new InvalidBody({ method: request.method, url: request.url, reason })
    : new InvalidBody({ method: request.method, url: request.url, reason, cause })

const encodeJson = (request: BodyInput, json: unknown): Either.Either<EncodedBody, InvalidBody> => {
  let text: string | undefined
  try {
    text = JSON.stringify(json)
  } catch (cause) {
    return Either.left(fail(request, "the json value cannot be serialised", cause))
  }
  // JSON.stringify returns undefined (no throw) for a function or a symbol.
  if (text === undefined) return Either.left(fail(request, `a ${typeof json} is not a JSON value`))
  return Either.right({ body: encoder.encode(text), contentType: JSON_TYPE })
}

const encodeData = (data: FormFields | string | Uint8Array): EncodedBody => {
  if (typeof data === "string") return { body: encoder.encode(data), contentType: undefined }
  if (data instanceof Uint8Array) return { body: data, contentType: undefined }
  return { body: encoder.encode(encodeForm(data)), contentType: FORM }
}

// Python truthiness, which is what requests tests `data` and `files` with.
const isNonEmpty = (data: FormFields | string | Uint8Array): boolean =>
  typeof data === "string" || data instanceof Uint8Array || Array.isArray(data)
    ? data.length > 0
    : hasOwnKey(data)

const hasEntries = (files: Files): boolean => (Array.isArray(files) ? files.length > 0 : hasOwnKey(files))

const hasOwnKey = (record: object): boolean => {
  for (const key in record) if (Object.hasOwn(record, key)) return true
  return false
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data
// ---------------------------------------------------------------------------------------------

interface Part {
  /** The field name, for error messages. */
  readonly field: string
  /** The part's header lines and the blank line after them. */
  readonly head: string
  readonly content: string | Uint8Array | Blob | StreamSource
}

interface ReadyPart extends Part {
  readonly content: string | Uint8Array
}

const isReadyPart = (part: Part): part is ReadyPart =>
  typeof part.content === "string" || part.content instanceof Uint8Array

const allReady = (parts: ReadonlyArray<Part>): parts is ReadonlyArray<ReadyPart> => parts.every(isReadyPart)

const isFilePairs = (files: Files): files is ReadonlyArray<readonly [string, FileValue]> => Array.isArray(files)

const collectParts = (request: BodyInput, files: Files): Either.Either<ReadonlyArray<Part>, InvalidBody> => {
  const { data } = request
  if (typeof data === "string" || data instanceof Uint8Array || data instanceof Blob || isStreamSource(data)) {
    return Either.left(fail(request, "data must be form fields, not a string, bytes or a stream, when files are given"))
  }
  const parts: Array<Part> = []
  if (data !== undefined) {
    forEachParam(data, (field, value) => {
      parts.push({ field, head: `Content-Disposition: form-data; name="${quote(field)}"\r\n\r\n`, content: value })
    })
  }
  if (isFilePairs(files)) {
    for (const [field, value] of files) {
      const part = filePart(request, field, value)
      if (Either.isLeft(part)) return Either.left(part.left)
      parts.push(part.right)
    }
  } else {
    for (const field in files) {
      if (!Object.hasOwn(files, field)) continue
      const part = filePart(request, field, files[field]!)
      if (Either.isLeft(part)) return Either.left(part.left)
      parts.push(part.right)
    }
  }
  return Either.right(parts)
}

const filePart = (request: BodyInput, field: string, value: FileValue): Either.Either<Part, InvalidBody> => {
  const bare = typeof value === "string" || value instanceof Uint8Array || value instanceof Blob ||
    isStreamSource(value)
  const described = bare ? undefined : value as Exclude<FileValue, FileContent>
  const content = described === undefined ? value as FileContent : described.content
  // requests: `guess_filename(v) or k`; a File's name is the analogue of a file object's name.
  const filename = described?.filename ?? fileName(content) ?? field
  const extra = described?.headers === undefined ? Headers.empty : Headers.from(described.headers)
  // requests sends no Content-Type unless given; we also use a Blob's type or a well-known extension.
  const contentType = described?.contentType ?? extra.get("content-type") ??
    (content instanceof Blob && content.type !== "" ? content.type : undefined) ?? guessContentType(filename)
  let head = `Content-Disposition: form-data; name="${quote(field)}"; filename="${quote(filename)}"\r\n`
  if (contentType !== undefined) {
    const invalid = validate("Content-Type", contentType)
    if (invalid !== undefined) return Either.left(badHeader(request, field, "Content-Type", invalid))
    head += `Content-Type: ${contentType}\r\n`
  }
  for (const [name, headerValue] of extra) {
    const lower = name.toLowerCase()
    if (lower === "content-type" || lower === "content-disposition") continue
    const invalid = validate(name, headerValue)
    if (invalid !== undefined) return Either.left(badHeader(request, field, name, invalid))
    head += `${name}: ${headerValue}\r\n`
  }
  return Either.right({ field, head: head + "\r\n", content })
}

const badHeader = (request: BodyInput, field: string, name: string, reason: string): InvalidBody =>
  fail(request, `invalid header ${JSON.stringify(name)} for the file of field ${JSON.stringify(field)}: ${reason}`)

const fileName = (content: FileContent): string | undefined => {
  if (typeof content !== "object") return undefined
  const name = (content as { readonly name?: unknown }).name
  if (typeof name === "string" && name !== "") return name
  // A Node file stream (fs.createReadStream) knows its path, as a Python file object its name.
  const path = (content as { readonly path?: unknown }).path
  if (typeof path !== "string" || path === "") return undefined
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1) || undefined
}

// How browsers escape names in Content-Disposition (HTML's multipart/form-data encoding, also
// urllib3's `format_multipart_header_param`); other characters, non-ASCII included, go as UTF-8.
const needsQuotingRe = /["\r\n]/
const quotedRe = /["\r\n]/g
const quoteChar = (c: string): string => (c === "\"" ? "%22" : c === "\r" ? "%0D" : "%0A")
const quote = (s: string): string => (needsQuotingRe.test(s) ? s.replace(quotedRe, quoteChar) : s)

const contentTypes: ReadonlyMap<string, string> = new Map([
  ["txt", "text/plain"],
  ["html", "text/html"],
  ["htm", "text/html"],
  ["css", "text/css"],
  ["csv", "text/csv"],
  ["xml", "application/xml"],
  ["json", "application/json"],
  ["js", "text/javascript"],
  ["pdf", "application/pdf"],
  ["zip", "application/zip"],
  ["gz", "application/gzip"],
  ["png", "image/png"],
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["gif", "image/gif"],
  ["webp", "image/webp"],
  ["svg", "image/svg+xml"]
])

/** The Content-Type of a well-known file extension (case-insensitive), else `undefined`. */
export const guessContentType = (filename: string): string | undefined => {
  const dot = filename.lastIndexOf(".")
  return dot < 0 ? undefined : contentTypes.get(filename.slice(dot + 1).toLowerCase())
}

// Text between binary contents is joined and encoded at once; everything lands in one buffer.
const renderMultipart = (parts: ReadonlyArray<ReadyPart>): EncodedBody => {
  // 16 random bytes in hex, as urllib3's `choose_boundary`.
  const boundary = randomBytes(16).toString("hex")
  const chunks: Array<Uint8Array> = []
  let size = 0
  let text = ""
  for (const part of parts) {
    text += `--${boundary}\r\n${part.head}`
    if (typeof part.content === "string") {
      text += part.content
    } else {
      const bytes = encoder.encode(text)
      chunks.push(bytes, part.content)
      size += bytes.length + part.content.length
      text = ""
    }
    text += "\r\n"
  }
  const tail = encoder.encode(`${text}--${boundary}--\r\n`)
  chunks.push(tail)
  size += tail.length
  let body: Uint8Array
  if (chunks.length === 1) {
    body = tail
  } else {
    body = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.length
    }
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}

/**
 * A multipart body with Blob or stream parts, read part by part as it is sent: its length is known
 * unless a part is a stream (then it goes chunked, and can be sent once only).
 */
const streamMultipart = (parts: ReadonlyArray<Part>): EncodedBody => {
  const boundary = randomBytes(16).toString("hex")
  let length: number | undefined = 0
  let replayable = true
  const pieces: Array<Uint8Array | Blob | StreamSource> = []
  let text = ""
  const flush = () => {
    if (text === "") return
    const bytes = encoder.encode(text)
    pieces.push(bytes)
    if (length !== undefined) length += bytes.length
    text = ""
  }
  for (const part of parts) {
    text += `--${boundary}\r\n${part.head}`
    const { content } = part
    if (typeof content === "string") text += content
    else {
      flush()
      pieces.push(content)
      if (content instanceof Uint8Array || content instanceof Blob) {
        if (length !== undefined) length += content instanceof Blob ? content.size : content.length
      } else {
        length = undefined
        replayable = false
      }
    }
    text += "\r\n"
  }
  text += `--${boundary}--\r\n`
  flush()
  async function* read(): AsyncGenerator<Uint8Array> {
    for (const piece of pieces) {
      if (piece instanceof Uint8Array) yield piece
      else yield* chunksOf(piece instanceof Blob ? piece.stream() : piece)
    }
  }
  return {
    body: undefined,
    contentType: `multipart/form-data; boundary=${boundary}`,
    stream: read,
    length,
    ...(replayable ? {} : { replayable: false })
  }
}
