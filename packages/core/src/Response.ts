/**
 * The response: requests' `Response`, immutable, with its body read and decoded (gzip, deflate, br)
 * unless the request asked to `stream`.
 *
 * Reading the body as JSON, through a `Schema`, or checking the status are Effects with typed
 * failures: `Response.json(response)`, `Response.schemaJson(schema)(response)`,
 * `Response.raiseForStatus(response)`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import type * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { CookieInfo } from "./Cookies.js"
import {
  type BodyTooLarge,
  type ChunkedEncodingError,
  type ContentDecodingError,
  HttpError,
  JsonDecodeError,
  SchemaDecodeError,
  type SendError
} from "./Errors.js"
import { type Headers, redact } from "./Headers.js"
import { decodeText, encodingOf } from "./internal/charset.js"
import { decodeContent, decodeStream, defaultMaxBodySize, limitStream } from "./internal/decompress.js"
import { parseLinks } from "./internal/links.js"
import type { PreparedRequest } from "./Request.js"
import type { RetryAttempt } from "./Retry.js"

/** Where the time of one request went, in ms. */
export interface Timings {
  /** Waiting for a worker slot of the executor (0 outside a FuturesSession). */
  readonly queued: number
  /** From sending the first request to the headers of the final response (requests' `elapsed`). */
  readonly elapsed: number
  /** From sending the first request to the end of the final body. */
  readonly total: number
  /**
   * With `background` work (a FuturesSession request): from handing the body to the worker pool to
   * its result, waiting for a free thread included. Absent otherwise.
   */
  readonly background?: number | undefined
}

export interface ResponseProps {
  readonly statusCode: number
  readonly reason: string
  readonly headers: Headers
  /** The final URL, after redirects. */
  readonly url: string
  /** The redirect responses that led here, oldest first. */
  readonly history: ReadonlyArray<Response>
  /** The body, decoded from its Content-Encoding (empty while streaming). */
  readonly content: Uint8Array
  /** The request as sent for this response. */
  readonly request: PreparedRequest
  /** Cookies this response set (stored in the session's jar). */
  readonly cookies: ReadonlyArray<CookieInfo>
  readonly timings: Timings
  /** With `stream: true`: the body still on the wire, raw (not yet decoded). */
  readonly bodyStream?: Stream.Stream<Uint8Array, SendError> | undefined
  /**
   * The attempts at this request (this hop of it) that failed and were retried before this response,
   * oldest first: their status or error tag, and the delay that followed each. Empty without retries.
   */
  readonly retries?: ReadonlyArray<RetryAttempt> | undefined
  /**
   * The request's `maxBodySize`, which reading a streamed body applies (decoded bytes): `undefined` when
   * none was given (a stream then has no limit, and `readBody` applies `Session.defaultMaxBodySize`).
   */
  readonly maxBodySize?: number | undefined
  /** What the request's `background` work made of the body, in a worker thread (structured-cloned back). */
  readonly data?: unknown
}

const noRetries: ReadonlyArray<RetryAttempt> = []

const redirectCodes: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

export class Response implements ResponseProps {
  readonly statusCode!: number
  readonly reason!: string
  readonly headers!: Headers
  readonly url!: string
  readonly history!: ReadonlyArray<Response>
  readonly content!: Uint8Array
  readonly request!: PreparedRequest
  readonly cookies!: ReadonlyArray<CookieInfo>
  readonly timings!: Timings
  readonly bodyStream: Stream.Stream<Uint8Array, SendError> | undefined
  readonly retries: ReadonlyArray<RetryAttempt>
  readonly maxBodySize: number | undefined
  /** What the request's `background` work made of the body (see `FuturesRequestOptions.background`); else `undefined`. */
  readonly data: unknown

  constructor(props: ResponseProps) {
    Object.assign(this, props)
    this.bodyStream = props.bodyStream
    this.retries = props.retries ?? noRetries
  }

  /** The same response with some fields replaced. */
  copy(props: Partial<ResponseProps>): Response {
    return new Response({ ...this, ...props })
  }

  /** 2xx and 3xx are ok, as requests' `Response.ok` (status < 400). */
  get ok(): boolean {
    return this.statusCode < 400
  }

  /** ms from sending to the headers (requests' `elapsed`). */
  get elapsed(): number {
    return this.timings.elapsed
  }

  get isRedirect(): boolean {
    return this.headers.has("location") && redirectCodes.has(this.statusCode)
  }

  get isPermanentRedirect(): boolean {
    return this.headers.has("location") && (this.statusCode === 301 || this.statusCode === 308)
  }

  private encodingCache: string | undefined
  /** The charset of the body: from Content-Type, else detected (BOM, UTF-8 validity), else utf-8. */
  get encoding(): string {
    return this.encodingCache ??= encodingOf(this.headers.get("content-type"), this.content)
  }

  private textCache: string | undefined
  /** The body as text, in `encoding`. */
  get text(): string {
    return this.textCache ??= decodeText(this.content, this.encoding)
  }

  /** The parsed Link header, keyed by `rel` (requests' `links`). */
  get links(): ReturnType<typeof parseLinks> {
    return parseLinks(this.headers.get("link"))
  }

  toJSON(): unknown {
    return {
      _id: "@requests-futures/core/Response",
      statusCode: this.statusCode,
      reason: this.reason,
      url: this.url,
      // What prints a response (logs, `console.log` of the facade's) never shows a credential or cookie value.
      headers: redact(this.headers),
      history: this.history.map((r) => `${r.statusCode} ${r.url}`),
      request: { method: this.request.method, url: this.request.url, headers: redact(this.request.headers) },
      ...(this.retries.length === 0 ? {} : { retries: this.retries }),
      timings: this.timings
    }
  }

  /** `console.log` and `util.inspect` show `toJSON()`: no body, no credential, no cookie value. */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const info = (self: Response) => ({ method: self.request.method, url: self.url })

/** Parses the body as JSON; fails with `JsonDecodeError` (an empty body is not JSON). */
export const json = (self: Response): Effect.Effect<unknown, JsonDecodeError> =>
  Effect.try({
    try: () => JSON.parse(self.text) as unknown,
    catch: (cause) => new JsonDecodeError({ ...info(self), cause, response: self })
  })

/**
 * effect's `ParseResult` (and with it the schema AST), loaded when a body is first decoded: about 10 MiB
 * of RSS and a third of the package's import time that a program which never decodes does not pay. A
 * caller of `schemaJson` holds a `Schema`, so the module is usually loaded already and this is one lookup.
 */
let parseResultModule: typeof ParseResult | undefined
const parseResult: Effect.Effect<typeof ParseResult> = Effect.suspend(() =>
  parseResultModule !== undefined
    ? Effect.succeed(parseResultModule)
    : Effect.promise(() => import("effect/ParseResult")).pipe(Effect.tap((module) => {
      parseResultModule = module
    }))
)

/** Parses the body as JSON and decodes it with `schema`. */
export const schemaJson: {
  <A, I, R>(schema: Schema.Schema<A, I, R>): (self: Response) => Effect.Effect<A, JsonDecodeError | SchemaDecodeError, R>
  <A, I, R>(self: Response, schema: Schema.Schema<A, I, R>): Effect.Effect<A, JsonDecodeError | SchemaDecodeError, R>
} = dual(2, <A, I, R>(self: Response, schema: Schema.Schema<A, I, R>) =>
  Effect.flatMap(Effect.zip(json(self), parseResult), ([body, ParseResult]) =>
    ParseResult.decodeUnknown(schema)(body).pipe(
      Effect.mapError((issue: ParseResult.ParseIssue) =>
        new SchemaDecodeError({
          ...info(self),
          cause: ParseResult.TreeFormatter.formatIssueSync(issue),
          response: self
        })
      )
    )))

/** Succeeds with the response when its status is below 400, else fails with `HttpError`. */
export const raiseForStatus = (self: Response): Effect.Effect<Response, HttpError> =>
  self.statusCode >= 400 ? Effect.fail(new HttpError({ ...info(self), response: self })) : Effect.succeed(self)

/**
 * The body chunk by chunk, decoded from its Content-Encoding. For a response read whole
 * (not `stream`), a single chunk. A streamed body is read as it is pulled; past the request's
 * `maxBodySize` (decoded bytes) it fails with `BodyTooLarge`. Its connection is let go when the
 * stream ends in any way: read to the end, failed, interrupted, or its scope closed.
 */
export const iterContent = (
  self: Response
): Stream.Stream<Uint8Array, SendError | ContentDecodingError | ChunkedEncodingError | BodyTooLarge> =>
  self.bodyStream === undefined
    ? Stream.make(self.content)
    : decodeStream(self.headers.get("content-encoding"), self.bodyStream, info(self), self.maxBodySize)

/**
 * The body as lines of text (in the response's charset when it names one, else UTF-8), without their
 * line ends (`\n`, `\r\n` or `\r`): requests' `iter_lines`. Read as it is pulled, as `iterContent`.
 */
export const iterLines = (
  self: Response
): Stream.Stream<string, SendError | ContentDecodingError | ChunkedEncodingError | BodyTooLarge> => {
  return iterContent(self).pipe(Stream.decodeText(charsetOf(self)), Stream.splitLines)
}

/** The charset the Content-Type names, when the platform's TextDecoder knows it; else UTF-8. */
const charsetOf = (self: Response): string => {
  const charset = /charset=["']?([^"';\s]+)/i.exec(self.headers.get("content-type") ?? "")?.[1]
  if (charset === undefined) return "utf-8"
  try {
    return new TextDecoder(charset).encoding
  } catch {
    return "utf-8"
  }
}

/**
 * A streamed response with its body read and decoded; a response read whole, as it is. The body is
 * held to the request's `maxBodySize`, or `Session.defaultMaxBodySize` when none was given.
 */
export const readBody = (
  self: Response
): Effect.Effect<Response, SendError | ContentDecodingError | BodyTooLarge> => {
  const stream = self.bodyStream
  if (stream === undefined) return Effect.succeed(self)
  const limit = self.maxBodySize === undefined ? defaultMaxBodySize : self.maxBodySize === Infinity ? undefined : self.maxBodySize
  return Stream.runCollect(limitStream(stream, limit, info(self))).pipe(
    Effect.flatMap((chunks) => {
      const raw = Buffer.concat(Array.from(chunks))
      return decodeContent(self.headers.get("content-encoding"), raw, info(self), limit)
    }),
    Effect.map((content) => self.copy({ content, bodyStream: undefined }))
  )
}

/** Releases a streamed response's connection without reading the rest of its body. */
export const close = (self: Response): Effect.Effect<void> =>
  // The stream aborts its socket when it is stopped before its end: start it and stop it at once.
  self.bodyStream === undefined
    ? Effect.void
    : Stream.runDrain(Stream.interruptWhen(self.bodyStream, Effect.void)).pipe(Effect.ignore)
