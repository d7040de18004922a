/**
 * Retries, as urllib3's `Retry` mounted on a requests adapter.
 *
 * Off by default (requests retries nothing). A policy retries connection failures, connect and read
 * timeouts, and responses whose status is listed, for idempotent methods only and never a request whose
 * body cannot be sent again. Before retry `n` (0 for the first) it waits a random delay between 0 and
 * `min(maxDelay, backoff * 2^n)` ("full jitter", drawn from effect's `Random`, so a seeded `Random`
 * makes it reproducible), or what the server asked with `Retry-After` (seconds or an HTTP-date, capped by
 * `maxDelay`). The wait is `Effect.sleep` on effect's `Clock` (a `TestClock` drives it) unless the
 * caller passes its own `backoff`.
 *
 * Every attempt that failed is recorded: the answer's `Response.retries`, or `RetryError.attempts` when
 * the attempts run out on a status. When they run out on an error, the request fails with that error, as
 * requests does.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { HttpError, RetryError, type SendError } from "./Errors.js"
import type { Headers } from "./Headers.js"
import { readAside } from "./internal/decompress.js"
import { isReplayable, type PreparedRequest } from "./Request.js"
import { Response } from "./Response.js"
import type * as Transport from "./Transport.js"

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly limit: number
  /** Methods that may be retried (default: GET, HEAD, OPTIONS, PUT, DELETE, TRACE, as urllib3). */
  readonly methods?: ReadonlyArray<string> | undefined
  /** Statuses that are retried (default 408, 429, 500, 502, 503, 504). */
  readonly statusCodes?: ReadonlyArray<number> | undefined
  /** The cap of the first delay in ms, doubled each retry; each delay is random below its cap (default 100). */
  readonly backoff?: number | undefined
  /** The longest delay in ms, `Retry-After` included (default 10 000). */
  readonly maxDelay?: number | undefined
}

/** A policy, or just the number of retries with the defaults. */
export type RetryInput = RetryPolicy | number

/** One attempt that failed: its status, or the tag of its error, and the wait that followed it. */
export interface RetryAttempt {
  /** The status of a response the policy retries (503...). */
  readonly status?: number | undefined
  /** The tag of the error the attempt failed with: "ConnectionError", "ConnectTimeout" or "ReadTimeout". */
  readonly error?: string | undefined
  /**
   * The delay in ms chosen before the next attempt (jittered backoff or `Retry-After`), as handed to the
   * backoff; 0 for an attempt after which retries gave up.
   */
  readonly waitedMs: number
}

/**
 * Waits `delayMs` between two attempts; `after` is the attempt that failed, with the server's
 * `Retry-After` when it sent one (an executor's backoff tells the host's adaptive limit).
 */
export type Backoff = (
  delayMs: number,
  after?: { readonly status?: number | undefined; readonly error?: string | undefined; readonly retryAfterMs?: number | undefined }
) => Effect.Effect<void>

/** The default `Backoff`: `Effect.sleep` on effect's `Clock`. */
export const sleep: Backoff = (delayMs) => Effect.sleep(Duration.millis(delayMs))

/** What `withRetry` answers: the response, and the attempts before it that failed (oldest first). */
export interface Retried {
  readonly response: Transport.RawResponse
  /** Empty when the first attempt was the answer. */
  readonly retries: ReadonlyArray<RetryAttempt>
}

const defaultMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])
const defaultStatusCodes: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])
const retriedErrors: ReadonlySet<string> = new Set(["ConnectionError", "ConnectTimeout", "ReadTimeout"])
const noRetries: ReadonlyArray<RetryAttempt> = []

/**
 * ms the server asked to wait with `Retry-After` (delay-seconds or an HTTP-date, RFC 9110 10.2.3), if it
 * did, as urllib3 reads it: digits are seconds, anything else must parse as a date, else it is ignored.
 * A date counts from `nowMs` (the retry step passes effect's `Clock`).
 */
export const retryAfter = (raw: { readonly headers: Headers }, nowMs: number = Date.now()): number | undefined => {
  const value = raw.headers.get("retry-after")
  if (value === undefined) return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

export const normalize = (input: RetryInput): RetryPolicy => (typeof input === "number" ? { limit: input } : input)

/**
 * Whether `policy` may retry `request` at all: the limit is positive, the method is retried, and the
 * body can be sent again (see `Request.isReplayable`).
 */
export const retries = (policy: RetryPolicy, request: PreparedRequest): boolean =>
  policy.limit > 0 && isReplayable(request) &&
  (policy.methods === undefined ? defaultMethods : new Set(policy.methods.map((m) => m.toUpperCase())))
    .has(request.method)

/** The delay before retry `retry` (0-based) without `Retry-After`: random in [0, min(maxDelay, backoff * 2^retry)]. */
const jittered = (policy: RetryPolicy, retry: number): Effect.Effect<number> => {
  const cap = Math.min(policy.maxDelay ?? 10_000, (policy.backoff ?? 100) * 2 ** retry)
  return Effect.map(Random.next, (r) => Math.round(r * cap))
}

/**
 * A retried response is not the answer: its body, if still on the wire (`stream`), is read and dropped
 * so its connection serves the next attempt, as urllib3's `drain_conn` before a retry.
 */
const discard = (raw: Transport.RawResponse): Effect.Effect<void> =>
  raw.bodyStream === undefined ? Effect.void : Effect.ignore(Stream.runDrain(raw.bodyStream))

const giveUp = (
  request: PreparedRequest,
  raw: Transport.RawResponse,
  attempts: ReadonlyArray<RetryAttempt>
): Effect.Effect<never, SendError | RetryError> =>
  Effect.flatMap(readAside(raw, request), (content) => {
    const response = new Response({
      statusCode: raw.statusCode,
      reason: raw.reason,
      headers: raw.headers,
      url: request.url,
      history: [],
      content,
      request,
      cookies: [],
      timings: { queued: 0, elapsed: raw.elapsed, total: raw.total },
      retries: attempts.slice(0, -1)
    })
    const info = { method: request.method, url: request.url }
    return Effect.fail(new RetryError({ ...info, attempts, response, last: new HttpError({ ...info, response }) }))
  })

/**
 * Sends with retries: `send` is one attempt, `backoff` waits between two (default `sleep`: give one that
 * lets go of a worker slot while it waits, as a FuturesSession's executor does). A request the policy
 * cannot retry is sent once, as it is.
 */
export const withRetry = (
  policy: RetryPolicy | undefined,
  request: PreparedRequest,
  send: Effect.Effect<Transport.RawResponse, SendError>,
  backoff: Backoff = sleep
): Effect.Effect<Retried, SendError | RetryError> => {
  if (policy === undefined || !retries(policy, request)) {
    return Effect.map(send, (response) => ({ response, retries: noRetries }))
  }
  const statusCodes = policy.statusCodes === undefined ? defaultStatusCodes : new Set(policy.statusCodes)
  const maxDelay = policy.maxDelay ?? 10_000

  /** What the server asked to wait (ms), if it did. */
  const asked = (raw: Transport.RawResponse | undefined): Effect.Effect<number | undefined> =>
    raw === undefined || !raw.headers.has("retry-after")
      ? Effect.succeed(undefined)
      : Effect.map(Clock.currentTimeMillis, (now) => retryAfter(raw, now))

  /** The delay before the next attempt: what the server asked, else full jitter. */
  const delay = (retry: number, askedMs: number | undefined): Effect.Effect<number> =>
    askedMs === undefined ? jittered(policy, retry) : Effect.succeed(Math.min(askedMs, maxDelay))

  return Effect.gen(function*() {
    const attempts: Array<RetryAttempt> = []
    for (;;) {
      const outcome = yield* Effect.either(send)
      let raw: Transport.RawResponse | undefined
      let failed: Omit<RetryAttempt, "waitedMs">
      if (Either.isLeft(outcome)) {
        const error = outcome.left
        if (!retriedErrors.has(error._tag) || attempts.length >= policy.limit) return yield* Effect.fail(error)
        failed = { error: error._tag }
      } else {
        raw = outcome.right
        if (!statusCodes.has(raw.statusCode)) return { response: raw, retries: attempts }
        if (attempts.length >= policy.limit) {
          return yield* giveUp(request, raw, [...attempts, { status: raw.statusCode, waitedMs: 0 }])
        }
        failed = { status: raw.statusCode }
        yield* discard(raw)
      }
      const retryAfterMs = yield* asked(raw)
      const waitedMs = yield* delay(attempts.length, retryAfterMs)
      attempts.push({ ...failed, waitedMs })
      yield* backoff(waitedMs, { ...failed, retryAfterMs })
    }
  })
}
