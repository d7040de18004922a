/**
 * Retries, as urllib3's `Retry` mounted on a requests adapter, built on effect's `Schedule`.
 *
 * Off by default (requests retries nothing). A policy retries, for idempotent methods only,
 * connection failures, connect and read timeouts, and responses whose status is listed, with
 * exponential backoff (and `Retry-After` when the server sends one). When the attempts run out on a
 * status, the request fails with `RetryError` holding the last `HttpError`; when they run out on an
 * error, it fails with that error, as requests does.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { HttpError, RetryError, type SendError } from "./Errors.js"
import type { Headers } from "./Headers.js"
import type { PreparedRequest } from "./Request.js"
import { Response } from "./Response.js"
import type * as Transport from "./Transport.js"

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly limit: number
  /** Methods that may be retried (default: GET, HEAD, OPTIONS, PUT, DELETE, TRACE, as urllib3). */
  readonly methods?: ReadonlyArray<string> | undefined
  /** Statuses that are retried (default 429, 500, 502, 503, 504). */
  readonly statusCodes?: ReadonlyArray<number> | undefined
  /** First delay in ms, doubled each retry (default 100). */
  readonly backoff?: number | undefined
  /** The longest delay in ms, `Retry-After` included (default 10 000). */
  readonly maxDelay?: number | undefined
}

/** A policy, or just the number of retries with the defaults. */
export type RetryInput = RetryPolicy | number

const defaultMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])
const defaultStatusCodes: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])
const retriedErrors: ReadonlySet<string> = new Set(["ConnectionError", "ConnectTimeout", "ReadTimeout"])

/** A response whose status asks for a retry, carried through the schedule as a failure. */
class RetryableStatus {
  readonly _tag = "RetryableStatus"
  constructor(readonly raw: Transport.RawResponse) {}
}

/** ms the server asked to wait (`Retry-After: seconds` or an HTTP date), if it did. */
export const retryAfter = (raw: { readonly headers: Headers }): number | undefined => {
  const value = raw.headers.get("retry-after")
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

export const normalize = (input: RetryInput): RetryPolicy => (typeof input === "number" ? { limit: input } : input)

/** Whether `policy` may retry `request` at all (its method is retried and the limit is positive). */
export const retries = (policy: RetryPolicy, request: PreparedRequest): boolean =>
  policy.limit > 0 &&
  (policy.methods === undefined ? defaultMethods : new Set(policy.methods.map((m) => m.toUpperCase())))
    .has(request.method)

/**
 * Sends with retries: `send` is one attempt. Returns `send` itself when the policy cannot retry
 * this request, so requests without retries pay nothing.
 */
export const withRetry = (
  policy: RetryPolicy | undefined,
  request: PreparedRequest,
  send: Effect.Effect<Transport.RawResponse, SendError>
): Effect.Effect<Transport.RawResponse, SendError | RetryError> => {
  if (policy === undefined || !retries(policy, request)) return send
  const statusCodes = policy.statusCodes === undefined ? defaultStatusCodes : new Set(policy.statusCodes)
  const maxDelay = policy.maxDelay ?? 10_000
  let attempts = 0

  const attempt = Effect.suspend(() => {
    attempts++
    return send
  }).pipe(
    Effect.flatMap((raw) =>
      statusCodes.has(raw.statusCode) ? Effect.fail(new RetryableStatus(raw)) : Effect.succeed(raw)
    )
  )
  const schedule = Schedule.exponential(Duration.millis(policy.backoff ?? 100)).pipe(
    Schedule.intersect(Schedule.recurs(policy.limit)),
    Schedule.intersect(Schedule.identity<SendError | RetryableStatus>()),
    Schedule.modifyDelay(([, last], delay) => {
      const asked = last instanceof RetryableStatus ? retryAfter(last.raw) : undefined
      return Duration.min(asked === undefined ? delay : Duration.millis(asked), Duration.millis(maxDelay))
    })
  )
  const retried: Effect.Effect<Transport.RawResponse, SendError | RetryableStatus> = Effect.retry(attempt, {
    schedule,
    while: (error: SendError | RetryableStatus) => error instanceof RetryableStatus || retriedErrors.has(error._tag)
  })
  return retried.pipe(
    Effect.catchAll((error): Effect.Effect<never, SendError | RetryError> => {
      if (!(error instanceof RetryableStatus)) return Effect.fail(error)
      const { raw } = error
      const response = new Response({
        statusCode: raw.statusCode,
        reason: raw.reason,
        headers: raw.headers,
        url: request.url,
        history: [],
        content: raw.body,
        request,
        cookies: [],
        timings: { queued: 0, elapsed: raw.elapsed, total: raw.total }
      })
      const info = { method: request.method, url: request.url }
      return Effect.fail(new RetryError({ ...info, attempts, response, last: new HttpError({ ...info, response }) }))
    })
  )
}
