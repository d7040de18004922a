/**
 * The one place where the core's failures become the facade's error classes. `fromCoreRequestError` is
 * total over the core's `RequestError` union: a new core error without a facade class does not compile.
 */
import {
  Errors as CoreErrors,
  Executor as CoreExecutor,
  Future as CoreFuture,
  type Response as CoreResponseModule
} from "@requests-futures/core"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import {
  BodyTooLarge,
  BackgroundError,
  CancelledError,
  type CancelReason,
  ChunkedEncodingError,
  ConnectionError,
  ConnectTimeout,
  ContentDecodingError,
  ExecutorShutdown,
  HookError,
  HTTPError,
  InsecureRedirect,
  InvalidBody,
  InvalidHeader,
  InvalidMaxWorkers,
  InvalidOption,
  InvalidSchema,
  InvalidURL,
  JSONDecodeError,
  MissingSchema,
  ProxyError,
  ReadTimeout,
  DeadlineExceeded,
  QueueFull,
  type RequestError,
  RequestException,
  type RequestInfo,
  RetryError,
  SchemaDecodeError,
  SSLError,
  TimeoutError,
  TooManyRedirects,
  UnrewindableBodyError,
  WorkerCrashed
} from "../errors/index.js"
import { Response } from "../Response.js"
import { coreOf } from "./core.js"

type CoreRequestError = CoreErrors.RequestError
type CoreResponse = CoreResponseModule.Response

/** The core's request errors that are the facade's `RequestError`s (a cancellation is a `CancelledError`). */
type CoreFailure = Exclude<CoreRequestError, CoreErrors.RequestCancelled>

type Mappers = {
  readonly [Tag in CoreFailure["_tag"]]: (
    error: Extract<CoreFailure, { readonly _tag: Tag }>,
    wrap: (response: CoreResponse) => Response
  ) => RequestError
}

const base = (error: Exclude<CoreFailure, CoreErrors.InvalidOption>) => ({ request: { method: error.method, url: error.url }, cause: error.cause })

const mappers: Mappers = {
  ConnectionError: (e) => new ConnectionError(e.message, base(e)),
  SslError: (e) => new SSLError(e.message, base(e)),
  ProxyError: (e) => new ProxyError(e.message, { ...base(e), proxy: e.proxy }),
  ConnectTimeout: (e) => new ConnectTimeout(e.message, { ...base(e), timeoutMs: e.timeoutMs }),
  ReadTimeout: (e) => new ReadTimeout(e.message, { ...base(e), timeoutMs: e.timeoutMs, phase: e.phase }),
  DeadlineExceeded: (e) =>
    new DeadlineExceeded(e.message, { ...base(e), deadlineMs: e.deadlineMs, phase: e.phase }),
  HttpError: (e, wrap) => new HTTPError(e.message, { ...base(e), response: wrap(e.response) }),
  JsonDecodeError: (e, wrap) => new JSONDecodeError(e.message, { ...base(e), response: wrap(e.response) }),
  SchemaDecodeError: (e, wrap) => new SchemaDecodeError(e.message, { ...base(e), response: wrap(e.response) }),
  TooManyRedirects: (e, wrap) => {
    const history = e.history.map(wrap)
    const response = history[e.history.indexOf(e.response)] ?? wrap(e.response)
    return new TooManyRedirects(e.message, { ...base(e), maxRedirects: e.maxRedirects, history, response })
  },
  InsecureRedirect: (e, wrap) =>
    new InsecureRedirect(e.message, { ...base(e), location: e.location, response: wrap(e.response) }),
  InvalidUrl: (e) => new InvalidURL(e.message, { ...base(e), reason: e.reason }),
  MissingSchema: (e) => new MissingSchema(e.message, base(e)),
  InvalidSchema: (e) => new InvalidSchema(e.message, { ...base(e), scheme: e.scheme }),
  InvalidHeader: (e) => new InvalidHeader(e.message, { ...base(e), header: e.header, reason: e.reason }),
  ContentDecodingError: (e) => new ContentDecodingError(e.message, { ...base(e), encoding: e.encoding }),
  ChunkedEncodingError: (e) => new ChunkedEncodingError(e.message, base(e)),
  HookError: (e) => new HookError(e.message, { ...base(e), hook: e.hook }),
  InvalidBody: (e) => new InvalidBody(e.message, { ...base(e), reason: e.reason }),
  BodyTooLarge: (e) => new BodyTooLarge(e.message, { ...base(e), limit: e.limit, size: e.size }),
  UnrewindableBody: (e) =>
    new UnrewindableBodyError(e.message, { ...base(e), status: e.status, location: e.location }),
  BackgroundError: (e) => new BackgroundError(e.message, { ...base(e), work: e.work }),
  WorkerCrashed: (e) => new WorkerCrashed(e.message, { ...base(e), work: e.work }),
  InvalidOption: (e) =>
    new InvalidOption(e.message, {
      request: e.url === undefined ? undefined : { method: e.method ?? "", url: e.url },
      option: e.option,
      value: e.value,
      reason: e.reason,
      cause: e.cause
    }),
  RetryError: (e, wrap) => {
    const response = wrap(e.response)
    const last = fromCoreRequestError(e.last, (core) => core === e.response ? response : wrap(core))
    return new RetryError(e.message, { ...base(e), attempts: e.attempts, last, response })
  }
}

const wrapResponse = (response: CoreResponse): Response => new Response(response)

/**
 * The facade class of a core request error. `wrap` turns the core responses it carries into facade
 * responses (pass one that returns an existing facade response to keep its identity).
 */
export const fromCoreRequestError = (
  error: CoreFailure,
  wrap: (response: CoreResponse) => Response = wrapResponse
): RequestError => (mappers[error._tag] as (e: CoreFailure, w: typeof wrap) => RequestError)(error, wrap)

/** A wrap that answers `response` for its own core response. */
export const keeping = (response: Response) => (core: CoreResponse): Response =>
  core === response[coreOf] ? response : new Response(core)

/** Whether `u` is one of the facade's request errors (a `RequestException` subclass of the `RequestError` union). */
export const isRequestError = (u: unknown): u is RequestError =>
  u instanceof RequestException && u._tag !== "RequestException" && u._tag !== "Timeout"

/** The failure a core future or fiber ended with: the typed error, else the defect; interruption is `undefined`. */
export const failureOf = (cause: Cause.Cause<unknown>): { readonly error: unknown } | undefined => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return { error: failure.value }
  if (Cause.isInterruptedOnly(cause)) return undefined
  return { error: Cause.squash(cause) }
}

const why: Record<CancelReason, string> = {
  cancel: "by cancel()",
  shutdown: "by the shutdown of its executor (or the close of its session)",
  interrupted: "by an interruption from outside its executor",
  timeout: "when waiting for it timed out",
  map: "with the rest of its batch",
  dropped: "to make room in a full queue (onFull: \"dropOldest\"; it was the oldest queued)",
  signal: "by its AbortSignal"
}

const describeReason = (reason: unknown): string =>
  reason === undefined ? "" : `: ${reason instanceof Error ? reason.message : String(reason)}`

const cancelled = (
  error: CoreFuture.CancelledError | CoreErrors.RequestCancelled | undefined,
  request: RequestInfo | undefined
): CancelledError => {
  const what = request === undefined ? "The future" : `${request.method} ${request.url}`
  const wasRunning = error?.wasRunning ?? true
  const reason = error === undefined ? "interrupted" : error._tag === "RequestCancelled" ? "signal" : error.reason
  const cause = reason === "signal" ? error?.cause : undefined
  return new CancelledError(
    `${what} was cancelled ${why[reason]} ${
      wasRunning ? "while running (its work was interrupted)" : "before it started"
    }${describeReason(cause)}`,
    { request, wasRunning, reason, cause }
  )
}

/**
 * The facade error for a failure of a future or fiber that ran user work (`executor.submit`): the
 * executor's own errors are translated, anything else is the user's own value, left as it is.
 */
export const fromFutureFailure = (
  failure: { readonly error: unknown } | undefined,
  request?: RequestInfo
): unknown => {
  if (failure === undefined) return cancelled(undefined, request)
  const error = failure.error
  if (error instanceof CoreFuture.CancelledError) return cancelled(error, request)
  if (Cause.isInterruptedException(error)) return cancelled(undefined, request)
  if (error instanceof CoreFuture.FutureTimeout) {
    return new TimeoutError(error.message, {
      timeoutMs: Duration.toMillis(error.timeout),
      request,
      unfinished: error.unfinished
    })
  }
  if (error instanceof CoreExecutor.ExecutorShutdown) return new ExecutorShutdown(error.message)
  if (error instanceof CoreExecutor.QueueFull) return new QueueFull(error.message, { maxQueued: error.maxQueued })
  if (error instanceof CoreExecutor.InvalidMaxWorkers) {
    return new InvalidMaxWorkers(error.message, { maxWorkers: error.maxWorkers })
  }
  return error
}

/**
 * The facade error for a failure of a request (a future of a session, or a `Session` promise): the core
 * request errors become their facade classes, facade errors (a hook's `raiseForStatus()`) stay as they are.
 */
export const fromRequestFailure = (
  failure: { readonly error: unknown } | undefined,
  request?: RequestInfo
): unknown => {
  const error = failure?.error
  if (error instanceof RequestException) return error
  // A hook or callback that threw a request error (`raiseForStatus()`'s) fails with that error itself.
  if (error instanceof CoreErrors.HookError && isRequestError(error.cause)) return error.cause
  if (CoreErrors.isRequestError(error)) {
    // A request cancelled by its signal is stopped, not failed: a `CancelledError`, as a cancelled future.
    return error._tag === "RequestCancelled" ? cancelled(error, request) : fromCoreRequestError(error)
  }
  return fromFutureFailure(failure, request)
}
