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
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { HookError, type InvalidOption, type RequestError } from "./Errors.js"
import * as Executor from "./Executor.js"
import type * as Future from "./Future.js"
import type { ExecutorShutdown, InvalidMaxWorkers } from "./FutureErrors.js"
import { Headers } from "./Headers.js"
import { methodShortcuts } from "./internal/methods.js"
import * as sessionInternal from "./internal/session.js"
import { checkConfig } from "./internal/validate.js"
import type { RequestInit, RequestOptions } from "./Request.js"
import { Response } from "./Response.js"
import type * as Session from "./Session.js"
import * as Task from "./Task.js"
import * as Transport from "./Transport.js"

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
}

export interface FuturesRequestInit extends FuturesRequestOptions {
  readonly method: string
  readonly url: string | URL
}

export interface FuturesSessionConfig extends Session.SessionConfig {
  /** Workers of the executor the session makes (default 2). Ignored when `executor` is given. */
  readonly maxWorkers?: number | undefined
  /** A shared executor: the session does not shut it down when it closes. */
  readonly executor?: Executor.Executor | undefined
  /**
   * A session to send with (its pool, cookie jar, headers, auth). Unlike the Python original, which
   * ignores its own settings when given a session, the settings here are merged over it.
   */
  readonly session?: Session.Session | undefined
}

/** The future of a response. */
export type ResponseFuture = Future.Future<Response, RequestError>

type Send = (url: string | URL, options?: FuturesRequestOptions) => Effect.Effect<ResponseFuture, ExecutorShutdown>

export interface FuturesSession {
  readonly session: Session.Session
  readonly executor: Executor.Executor
  /** Whether this session made its executor (and so shuts it down when it closes). */
  readonly ownsExecutor: boolean
  readonly request: (init: FuturesRequestInit) => Effect.Effect<ResponseFuture, ExecutorShutdown>
  readonly get: Send
  readonly head: Send
  readonly options: Send
  readonly delete: Send
  readonly post: Send
  readonly put: Send
  readonly patch: Send
}

/** The FuturesSession service. */
export const FuturesSession: Context.Tag<FuturesSession, FuturesSession> = Context.GenericTag<FuturesSession>(
  "@requests-futures/core/FuturesSession"
)

const runCallback = (
  callback: BackgroundCallback,
  self: FuturesSession,
  response: Response
): Effect.Effect<Response, RequestError> =>
  Effect.suspend(() => {
    const fail = (cause: unknown) =>
      new HookError({ method: response.request.method, url: response.url, hook: "background callback", cause })
    let result: ReturnType<BackgroundCallback>
    try {
      result = callback(self, response)
    } catch (cause) {
      return Effect.fail(fail(cause))
    }
    if (!Effect.isEffect(result)) return Effect.succeed(result instanceof Response ? result : response)
    return result.pipe(
      Effect.map((replaced) => (replaced instanceof Response ? replaced : response)),
      Effect.catchAllDefect((cause) => Effect.fail(fail(cause)))
    )
  })

/** A session of the given one's pool and jar, with `config` merged over its defaults. */
const deriveSession = (base: Session.Session, config: Session.SessionConfig): Session.Session => {
  const defaults = base.defaults()
  return sessionInternal.makeWith(
    {
      ...config,
      headers: Headers.merge(defaults.headers, config.headers),
      params: config.params ?? defaults.params,
      auth: config.auth ?? defaults.auth,
      timeout: config.timeout ?? defaults.timeout,
      maxRedirects: config.maxRedirects ?? defaults.maxRedirects,
      hooks: config.hooks ?? defaults.hooks,
      stream: config.stream ?? defaults.stream,
      retry: config.retry ?? defaults.retry,
      cookies: base.cookies
    },
    base.transport
  )
}

/** A FuturesSession over an executor and a session (nothing is owned, nothing closed). */
export const makeWith = (executor: Executor.Executor, session: Session.Session, ownsExecutor = false): FuturesSession => {
  const request = (init: FuturesRequestInit): Effect.Effect<ResponseFuture, ExecutorShutdown> => {
    const { backgroundCallback, ...requestInit } = init
    // A task: the request runs in its slot without a fiber unless something in it needs one.
    return executor.submit((info: Executor.WorkInfo) =>
      backgroundCallback === undefined
        ? session.task(requestInit as RequestInit, info)
        : Task.flatMap(
          session.task(requestInit as RequestInit, info),
          (response) => runCallback(backgroundCallback, self, response)
        )
    )
  }
  const self: FuturesSession = {
    session,
    executor,
    ownsExecutor,
    request,
    ...methodShortcuts<FuturesRequestOptions, Effect.Effect<ResponseFuture, ExecutorShutdown>>(request)
  }
  return self
}

/**
 * A FuturesSession, closed with the scope: the executor it made is shut down (queued futures
 * cancelled, running ones interrupted) and its connection pool destroyed. A passed-in executor or
 * session keeps running. A session setting that cannot be used fails it with `InvalidOption` (as
 * `Session.make`), a bad `maxWorkers` with `InvalidMaxWorkers`.
 */
export const make = (
  config: FuturesSessionConfig = {}
): Effect.Effect<FuturesSession, InvalidMaxWorkers | InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    const { executor: givenExecutor, maxWorkers, session: givenSession, ...sessionConfig } = config
    yield* checkConfig(sessionConfig)
    const workers = givenExecutor?.maxWorkers ?? maxWorkers ?? Executor.defaultMaxWorkers
    // The transport is acquired first so that it is released last: on close, the executor
    // interrupts the running requests before the pool is destroyed.
    // A given session with no settings beside it is used as it is, so later changes to it show.
    const session = givenSession !== undefined
      ? Object.values(sessionConfig).every((value) => value === undefined)
        ? givenSession
        : deriveSession(givenSession, sessionConfig)
      : sessionInternal.makeWith(
        sessionConfig,
        // The pool never opens more connections to one origin than there are workers.
        yield* Transport.make({
          ...sessionConfig,
          connections: sessionConfig.connections ?? (Number.isSafeInteger(workers) && workers > 0 ? workers : 1)
        })
      )
    const executor = givenExecutor ?? (yield* Executor.make({ maxWorkers }))
    return makeWith(executor, session, givenExecutor === undefined)
  })

/** The FuturesSession as a layer. */
export const layer = (
  config?: FuturesSessionConfig
): Layer.Layer<FuturesSession, InvalidMaxWorkers | InvalidOption> =>
  Layer.scoped(FuturesSession, make(config))
