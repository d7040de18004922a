import {
  type Executor as CoreExecutor,
  type Future as CoreFuture,
  FuturesSession as CoreFuturesSession,
  type Response as CoreResponse,
  type Session as CoreSession,
  Task
} from "@requests-futures/core"
import * as Either from "effect/Either"
import * as Scope from "effect/Scope"
import type { RequestError } from "./errors/index.js"
import { ExecutorShutdown } from "./errors/ExecutorShutdown.js"
import { Executor } from "./Executor.js"
import { Future } from "./Future.js"
import { BaseSession, type SessionHooks, toInit, toSessionHooks } from "./internal/BaseSession.js"
import { coreOf } from "./internal/core.js"
import { fromRequestFailure } from "./internal/errors.js"
import { afterResponse } from "./internal/hooks.js"
import { runSync } from "./internal/run.js"
import { Response } from "./Response.js"
import type {
  CloseOptions,
  ErrorReporter,
  FuturesRequestOptions,
  FuturesSessionOptions,
  SessionOptions
} from "./types/options.js"
import { reportToConsole } from "./utils/report.js"

/** The future of a response: `await` it, or `result()`, `settle()`, `cancel()`... */
export type ResponseFuture = Future<Response, RequestError>

/** Settings that make a session of its own when given next to `session`. */
const sessionSettings = ["headers", "params", "auth", "cookies", "timeout", "maxRedirects", "stream", "retry"] as const

const hasSessionSettings = (options: SessionOptions): boolean =>
  sessionSettings.some((key) => options[key] !== undefined)

interface Parts {
  readonly core: CoreSession.Session
  readonly hooks: SessionHooks
  readonly scope: Scope.CloseableScope | undefined
  readonly executor: Executor
  readonly ownsExecutor: boolean
}

/** The core session, executor and scope of a FuturesSession: built once, here. */
const build = (options: FuturesSessionOptions): Parts => {
  const { executor: given, maxWorkers, onError, session, hooks: hooksOption, ...settings } = options
  const executor = given ?? new Executor({ maxWorkers, onError })
  const hooks = hooksOption === undefined && session !== undefined ? session.hooks : toSessionHooks(hooksOption)
  if (session !== undefined && !hasSessionSettings(settings)) {
    return { core: session[coreOf], hooks, scope: undefined, executor, ownsExecutor: given === undefined }
  }
  const scope = runSync(Scope.make())
  const futures = runSync(
    Scope.extend(
      CoreFuturesSession.make({ ...settings, executor: executor[coreOf], session: session?.[coreOf] }),
      scope
    )
  )
  return { core: futures.session, hooks, scope, executor, ownsExecutor: given === undefined }
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
  readonly #ownsExecutor: boolean
  readonly #report: ErrorReporter
  /** With a shared executor: this session's futures not done yet, waited for by `close()`. */
  readonly #pending = new Set<CoreFuture.Future<Response, unknown>>()
  #closing: Promise<void> | undefined

  /** Throws `InvalidMaxWorkers` unless `maxWorkers` is a positive integer. */
  constructor(options: FuturesSessionOptions = {}) {
    const parts = build(options)
    super(parts.core, parts.hooks, parts.scope)
    this.executor = parts.executor
    this.#ownsExecutor = parts.ownsExecutor
    this.#report = options.onError ?? reportToConsole
  }

  /**
   * Queues a request with any method and returns its future at once. Throws `ExecutorShutdown` when the
   * session is closed or its executor shut down.
   */
  request(method: string, url: string, options?: FuturesRequestOptions): ResponseFuture {
    if (this.closed) throw this.closedError()
    const init = toInit(method.toUpperCase(), url, options)
    const hooks = this.hooksFor(options)
    const callback = options?.backgroundCallback
    // The core session puts the queue time (`info.queuedMs`) on the response's timings.
    // A task: without hooks or a callback, the request runs in its slot with no fiber at all.
    const work = hooks.length === 0 && callback === undefined
      ? (info: CoreExecutor.WorkInfo) => Task.map(this[coreOf].task(init, info), toResponse)
      : (info: CoreExecutor.WorkInfo) =>
        Task.flatMap(this[coreOf].task(init, info), (response) =>
          afterResponse(
            new Response(response),
            hooks,
            callback === undefined ? undefined : (response) => callback(this, response)
          ))
    const submitted = this.executor[coreOf].unsafeSubmit(work)
    if (Either.isLeft(submitted)) throw new ExecutorShutdown(submitted.left.message)
    const future = submitted.right
    if (!this.#ownsExecutor) {
      this.#pending.add(future)
      future.unsafeAddObserver(() => this.#pending.delete(future))
    }
    return new Future(future, fromRequestFailure, this.#report, init)
  }

  get(url: string, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("GET", url, options)
  }

  head(url: string, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("HEAD", url, options)
  }

  options(url: string, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("OPTIONS", url, options)
  }

  delete(url: string, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("DELETE", url, options)
  }

  post(url: string, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("POST", url, options)
  }

  put(url: string, options?: FuturesRequestOptions): ResponseFuture {
    return this.request("PUT", url, options)
  }

  patch(url: string, options?: FuturesRequestOptions): ResponseFuture {
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

  async #close({ cancelFutures = false, interruptRunning = false }: CloseOptions): Promise<void> {
    if (this.#ownsExecutor) {
      await this.executor.shutdown({ wait: true, cancelFutures, interruptRunning })
    } else {
      const pending = Array.from(this.#pending)
      for (const future of pending) {
        if (interruptRunning || (cancelFutures && future.unsafeState() === "pending")) future.unsafeCancel()
      }
      await Promise.all(pending.map((future) => new Promise((resolve) => future.unsafeAddObserver(resolve))))
    }
    await super.close()
  }
}

const toResponse = (response: CoreResponse.Response): Response => new Response(response)
