import { FuturesSession as CoreFuturesSession, type Response as CoreResponse } from "@requests-futures/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { RequestError } from "./errors/index.js"
import { type Executor, wrapExecutor } from "./Executor.js"
import { Future, type FutureKind } from "./Future.js"
import { BaseSession, type SessionHooks, toInit, toSessionHooks } from "./internal/BaseSession.js"
import { coreOf } from "./internal/core.js"
import { fromRequestFailure } from "./internal/errors.js"
import { toCoreStep } from "./internal/hooks.js"
import { runPromise, runSync } from "./internal/run.js"
import { Response, responseOf } from "./Response.js"
import type { CloseOptions, FuturesRequestOptions, FuturesSessionOptions } from "./types/options.js"
import { reportToConsole } from "./utils/report.js"

/** The future of a response: `await` it, or `result()`, `settle()`, `cancel()`... */
export type ResponseFuture = Future<Response, RequestError>

interface Parts {
  readonly core: CoreFuturesSession.FuturesSession
  readonly hooks: SessionHooks
  readonly scope: Scope.CloseableScope
  readonly executor: Executor
}

/**
 * The core FuturesSession (the one pipeline) of a facade one, in a scope of its own: the executor and
 * the pool it makes are closed with it, a given executor or session keeps running.
 */
const build = (options: FuturesSessionOptions): Parts => {
  const { executor: given, maxWorkers, onError, session, hooks: hooksOption, workerPool, ...settings } = options
  const hooks = hooksOption === undefined && session !== undefined ? session.hooks : toSessionHooks(hooksOption)
  const scope = runSync(Scope.make())
  const made = Effect.runSyncExit(Scope.extend(
    CoreFuturesSession.make({
      ...settings,
      maxWorkers,
      executor: given?.[coreOf],
      session: session?.[coreOf],
      workerPool: workerPool?.[coreOf]
    }),
    scope
  ))
  // A bad option (maxWorkers) fails after the pool was made: it is closed in the background.
  if (Exit.isFailure(made)) Effect.runFork(Scope.close(scope, Exit.void))
  const core = runSync(made)
  return { core, hooks, scope, executor: given ?? wrapExecutor(core.executor, onError) }
}

/**
 * requests-futures' `FuturesSession`: every request method returns a `Future` at once, and the request
 * runs in the background on a bounded `Executor` (2 workers by default), with the settings of a
 * `Session` (headers, cookies, auth... persist across requests).
 *
 * @example
 * ```ts
 * const session = new FuturesSession()
 * const futureOne = session.get("http://httpbin.org/get")
 * const futureTwo = session.get("http://httpbin.org/get?foo=bar")
 * const responseOne = await futureOne.result()
 * await session.close()
 * ```
 */
export class FuturesSession extends BaseSession {
  /** The executor the requests run on: the session's own, or the one given. */
  readonly executor: Executor
  readonly #core: CoreFuturesSession.FuturesSession
  /** Its futures resolve to a new facade Response, or (with hooks or a callback) to the one they saw. */
  readonly #fresh: FutureKind<Response>
  readonly #seen: FutureKind<Response>
  readonly #callback = (
    callback: NonNullable<FuturesRequestOptions["backgroundCallback"]>
  ): CoreFuturesSession.BackgroundCallback => {
    const step = toCoreStep((response) => callback(this, response))
    return (_session, response) => step(response)
  }
  #closing: Promise<void> | undefined

  /** Throws `InvalidMaxWorkers` unless `maxWorkers` is a positive integer. */
  constructor(options: FuturesSessionOptions = {}) {
    const parts = build(options)
    super(parts.core.session, parts.hooks, parts.scope)
    this.executor = parts.executor
    this.#core = parts.core
    const report = options.onError ?? reportToConsole
    this.#fresh = { mapValue: newResponse, mapFailure: fromRequestFailure, report }
    this.#seen = { mapValue: sameResponse, mapFailure: fromRequestFailure, report }
  }

  /**
   * Queues a request with any method and returns its future at once. Throws `ExecutorShutdown` when the
   * session is closed or its executor shut down, `InvalidOption` for a `background` that cannot run (a
   * closure, a module file that does not exist, no `workerPool`).
   */
  request(method: string, url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    if (this.closed) throw this.closedError()
    const hooks = this.hooksFor(options)
    const callback = options?.backgroundCallback
    const init = toInit(
      method,
      url,
      options,
      hooks,
      callback === undefined ? undefined : this.#callback(callback)
    )
    const submitted = this.#core.unsafeRequest(init)
    if (Either.isLeft(submitted)) throw fromRequestFailure({ error: submitted.left })
    // With hooks or a callback, the future resolves to the very Response they saw.
    const kind = hooks.length === 0 && callback === undefined ? this.#fresh : this.#seen
    return new Future(submitted.right, kind, method, url)
  }

  get(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("GET", url, options)
  }

  head(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("HEAD", url, options)
  }

  options(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("OPTIONS", url, options)
  }

  delete(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("DELETE", url, options)
  }

  post(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("POST", url, options)
  }

  put(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("PUT", url, options)
  }

  patch(url: string | URL, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("PATCH", url, options)
  }

  /**
   * Closes the session, as Python's `close()`: new requests are refused at once; the accepted ones are
   * waited for (or cancelled, see {@link CloseOptions}); then the executor it made is shut down and the
   * connection pool it made is closed. A given executor or session is left running. Idempotent.
   *
   * @example
   * ```ts
   * await session.close({ cancelFutures: true, interruptRunning: true }) // stop everything now
   * ```
   */
  protected override inspectFields(): Readonly<Record<string, unknown>> {
    return { executor: this.executor }
  }

  override close(options: CloseOptions = {}): Promise<void> {
    this.markClosed()
    return this.#closing ??= this.#close(options)
  }

  async #close(options: CloseOptions): Promise<void> {
    await runPromise(this.#core.close(options))
    await super.close()
  }
}

const newResponse = (response: unknown): Response => new Response(response as CoreResponse.Response)
const sameResponse = (response: unknown): Response => responseOf(response as CoreResponse.Response)
