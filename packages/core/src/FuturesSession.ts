/**
 * The FuturesSession: requests-futures' `FuturesSession` for Effect. Every request method returns a
 * `Future` at once; the request runs on a bounded `Executor` (2 workers by default, or one passed in
 * and shared), with the session's connection pool sized to the executor's workers.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const session = yield* FuturesSession.make({ maxWorkers: 10 })
 *   const futures = yield* Effect.forEach(urls, (url) => session.get(url))
 *   return yield* Effect.forEach(futures, (future) => future.result())
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Background from "./Background.js"
import type * as Scope from "effect/Scope"
import type { InvalidOption, RequestError } from "./Errors.js"
import type * as Executor from "./Executor.js"
import type * as Future from "./Future.js"
import type { ExecutorShutdown, InvalidMaxWorkers, QueueFull } from "./FutureErrors.js"
import * as internal from "./internal/futuresSession.js"
import type { RequestOptions } from "./Request.js"
import type { Response } from "./Response.js"
import type * as Session from "./Session.js"

/**
 * Runs in the worker slot after the response hooks, before the future resolves (the seed's
 * `background_callback`): parse JSON off the caller's path. A returned response replaces the result;
 * a throw or a failure becomes the future's failure.
 */
export type BackgroundCallback = (
  session: FuturesSession,
  response: Response
) => Response | void | Effect.Effect<Response | void, RequestError>

export interface FuturesRequestOptions extends RequestOptions {
  readonly backgroundCallback?: BackgroundCallback | undefined
  /**
   * Work on the body in a worker thread of the session's `workerPool`, after the response hooks and
   * before the `backgroundCallback`: `{ parse: "json" }`, `{ schema: { module, export } }` or
   * `{ module, export }` (see `Background.Background`). The body's bytes move to the thread; the
   * result comes back on `response.data`, its time in `response.timings.background`. It runs in the
   * request's worker slot (`maxWorkers` bounds it). Checked when the request is made: a closure, a
   * module file that does not exist, `stream: true` or no pool refuse the request with `InvalidOption`.
   */
  readonly background?: Background.Background | undefined
  /** Higher first in the queue (FIFO within a priority). Default 0. */
  readonly priority?: number | undefined
  /**
   * ms from the request to its answer, queue time, every attempt, the backoff between them and the
   * body included; past it the future fails with `DeadlineExceeded` and its socket is closed. Overrides
   * the session's. (`timeout` stays per attempt.)
   */
  readonly deadline?: number | undefined
}

export interface FuturesRequestInit extends FuturesRequestOptions {
  readonly method: string
  readonly url: string | URL
}

export interface FuturesSessionConfig extends Session.SessionConfig {
  /** Workers of the executor the session makes (default 2). Ignored when `executor` is given. */
  readonly maxWorkers?: number | undefined
  /**
   * Limits per host (origin) of the executor the session makes: `{ maxWorkers, rate: { limit,
   * interval } }`, or a function of the origin. A request starts only when the executor's slot and its
   * host's are free; hosts are served fairly. Ignored when `executor` is given (set it there).
   */
  readonly perHost?: Executor.PerHost | undefined
  /** Adaptive per-host limits (AIMD on 429 / 503 with Retry-After / resets); see `Executor.Options`. */
  readonly adaptive?: boolean | undefined
  /** The most queued requests of the executor the session makes; see `onFull`. */
  readonly maxQueued?: number | undefined
  /** When the queue is full: `"wait"` (default: `request` suspends), `"reject"` or `"dropOldest"`. */
  readonly onFull?: Executor.OnFull | undefined
  /**
   * The worker threads `background` work runs on (`@requests-futures/core/WorkerPool`), shared: the
   * session does not close it. Without it, the `Background.Pool` in context is used when there is one
   * (`WorkerPool.layer`); with neither, a request with `background` is refused.
   */
  readonly workerPool?: Background.WorkerPool | undefined
  /** The default `deadline` of its requests (ms); see `FuturesRequestOptions.deadline`. */
  readonly deadline?: number | undefined
  /**
   * A shared executor: the session does not shut it down when it closes. Without it, the `Executor`
   * in context is used when there is one (`Executor.layer`), else the session makes its own.
   */
  readonly executor?: Executor.Executor | undefined
  /**
   * A session to send with (its pool, cookie jar, headers, auth). Unlike the Python original, which
   * ignores its own settings when given a session, the settings here are merged over it.
   */
  readonly session?: Session.Session | undefined
}

/** The future of a response. */
export type ResponseFuture = Future.Future<Response, RequestError>

/**
 * Why a request was not queued: the session is closed, the queue is full (`onFull: "reject"`), or its
 * `background` cannot run (`InvalidOption`).
 */
export type RequestRefused = ExecutorShutdown | QueueFull | InvalidOption

type Send = (url: string | URL, options?: FuturesRequestOptions) => Effect.Effect<ResponseFuture, RequestRefused>

/**
 * How `close` treats the futures of the session that are not done. By default it waits for them all.
 */
export interface CloseOptions {
  /** Cancel the queued ones (they are never sent); running ones go on. */
  readonly cancelFutures?: boolean | undefined
  /** Also cancel the running ones (their sockets are closed). */
  readonly interruptRunning?: boolean | undefined
}

export interface FuturesSession {
  readonly session: Session.Session
  readonly executor: Executor.Executor
  /** Whether this session made its executor (and so shuts it down when it closes). */
  readonly ownsExecutor: boolean
  /**
   * Queues a request and returns its future at once. The future's work is the whole pipeline, in its
   * worker slot: the session's request (redirects, cookies, auth, retries), the response hooks, then the
   * background callback; `response.timings.queued` is its time in the queue. Submitted from a fiber,
   * the work runs with that fiber's context (span, log annotations, services).
   * Fails with `ExecutorShutdown` once the session is closed or its executor shut down, with
   * `InvalidOption` for a `background` that cannot run.
   */
  readonly request: (init: FuturesRequestInit) => Effect.Effect<ResponseFuture, RequestRefused>
  /** `request`, synchronously, for code outside Effect (the work runs on the executor's runtime). */
  readonly unsafeRequest: (init: FuturesRequestInit) => Either.Either<ResponseFuture, RequestRefused>
  /**
   * Python's `close()`: new requests are refused from now on; the session's futures that are not done
   * are waited for (or cancelled, see {@link CloseOptions}); the executor it made is shut down. A shared
   * executor keeps running (only this session's futures are waited for). Idempotent. Closing the scope
   * the session was made in does this with `interruptRunning`, then closes the pool it made.
   */
  readonly close: (options?: CloseOptions) => Effect.Effect<void>
  /** `true` once `close` was called. */
  readonly unsafeClosed: () => boolean
  readonly get: Send
  readonly head: Send
  readonly options: Send
  readonly delete: Send
  readonly post: Send
  readonly put: Send
  readonly patch: Send
}

/** The FuturesSession service. */
export const FuturesSession: Context.Tag<FuturesSession, FuturesSession> = internal.FuturesSessionTag

/**
 * A FuturesSession over an executor and a session (nothing is owned; `close` waits for its futures),
 * and the worker pool its `background` work runs on, if any.
 */
export const makeWith = (
  executor: Executor.Executor,
  session: Session.Session,
  ownsExecutor?: boolean,
  workerPool?: Background.WorkerPool
): FuturesSession => internal.makeWith(executor, session, ownsExecutor, undefined, workerPool)

/**
 * A FuturesSession, closed with the scope: its futures that are not done are cancelled (running ones
 * interrupted), the executor it made is shut down and its connection pool destroyed. A passed-in (or
 * provided) executor, transport or session keeps running. A session setting that cannot be used fails
 * it with `InvalidOption` (as `Session.make`), a bad `maxWorkers` with `InvalidMaxWorkers`.
 */
export const make: (
  config?: FuturesSessionConfig
) => Effect.Effect<FuturesSession, InvalidMaxWorkers | InvalidOption, Scope.Scope> = internal.make

/** The FuturesSession as a layer (over the `Executor` and `Transport` in context, when provided). */
export const layer = (
  config?: FuturesSessionConfig
): Layer.Layer<FuturesSession, InvalidMaxWorkers | InvalidOption> =>
  Layer.scoped(FuturesSession, make(config))
