import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Cause from "effect/Cause"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Background from "../Background.js"
import { Pool as BackgroundPool } from "../Background.js"
import type * as Executor from "../Executor.js"
import type * as FuturesSession from "../FuturesSession.js"
import { ExecutorShutdown, type InvalidMaxWorkers } from "../FutureErrors.js"
import { DeadlineExceeded, type InvalidOption, type RequestError } from "../Errors.js"
import { Headers } from "../Headers.js"
import type { RequestInit } from "../Request.js"
import type { Response } from "../Response.js"
import { retryAfter } from "../Retry.js"
import type * as Session from "../Session.js"
import * as Task from "../Task.js"
import * as background from "./background.js"
import * as executorInternal from "./executor.js"
import type { FutureImpl } from "./future.js"
import { methodShortcuts } from "./methods.js"
import * as sessionInternal from "./session.js"
import * as signal from "./signal.js"
import * as transportInternal from "./transport.js"
import { redactUrl } from "./url.js"
import { checkConfig, checkOwnPoolSettings, isSignal } from "./validate.js"

export const FuturesSessionTag = Context.GenericTag<FuturesSession.FuturesSession>(
  "@requests-futures/core/FuturesSession"
)

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
      allowDowngrade: config.allowDowngrade ?? defaults.allowDowngrade,
      hooks: config.hooks ?? defaults.hooks,
      stream: config.stream ?? defaults.stream,
      retry: config.retry ?? defaults.retry,
      maxBodySize: config.maxBodySize !== undefined ? config.maxBodySize : defaults.maxBodySize,
      releaseSlotAtHeaders: config.releaseSlotAtHeaders ?? defaults.releaseSlotAtHeaders,
      // Both cancel its requests: the given session's signal and its own (one combined signal per session).
      signal: !isSignal(config.signal) || !isSignal(defaults.signal) || config.signal === defaults.signal
        ? config.signal ?? defaults.signal
        : AbortSignal.any([config.signal, defaults.signal]),
      cookies: base.cookies
    },
    base.transport
  )
}

/**
 * The one place a request becomes a future: the work submitted is the session's request task (queue
 * time in, redirects, cookies, auth, retries, hooks) followed by the background callback, all in the
 * worker slot; both APIs submit through here.
 */
export const makeWith = (
  executor: Executor.Executor,
  session: Session.Session,
  ownsExecutor = false,
  defaultDeadline?: number,
  workerPool?: Background.WorkerPool
): FuturesSession.FuturesSession => {
  let closed = false
  /** On a shared executor: this session's futures not done yet (what `close` waits for). */
  const pending = ownsExecutor ? undefined : new Set<FuturesSession.ResponseFuture>()

  const work = (
    requestInit: RequestInit,
    backgroundCallback: FuturesSession.BackgroundCallback | undefined,
    backgroundWork: background.Work | undefined
  ) =>
  // A task: the request runs in its slot without a fiber unless something in it needs one.
  (info: Executor.WorkInfo) => {
    const sent = session.task(requestInit, info)
    // An adaptive executor learns from each answer how hard its host may be pushed.
    const answered = executor.keyed ? Task.onExit(sent, (exit) => info.signal(hostSignal(exit))) : sent
    // Worker-thread work continues on a fiber, still in the slot; `check` made sure there is a pool.
    const task = backgroundWork === undefined ? answered : Task.flatMap(answered, (response) =>
      background.run(workerPool!, backgroundWork, response))
    return backgroundCallback === undefined ? task : Task.flatMap(task, (response) =>
      sessionInternal.runHook((r) => backgroundCallback(self, r), response, "background callback"))
  }

  /** Where the request waits (its origin's queue, when the executor schedules per host) and until when. */
  const submitOptions = (
    init: FuturesSession.FuturesRequestInit
  ): Executor.SubmitOptions<DeadlineExceeded> | undefined => {
    const deadline = init.deadline ?? defaultDeadline
    if (!executor.keyed && init.priority === undefined && deadline === undefined) return undefined
    return {
      key: executor.keyed ? originOf(init.url) : undefined,
      priority: init.priority,
      deadline: deadline === undefined ? undefined : {
        ms: deadline,
        onExpire: (phase) =>
          new DeadlineExceeded({
            method: String(init.method).toUpperCase(),
            url: redactUrl(String(init.url)),
            deadlineMs: deadline,
            phase
          })
      }
    }
  }

  const submit = <R>(
    init: FuturesSession.FuturesRequestInit,
    backgroundWork: background.Work | undefined,
    f: (
      work: Executor.Work<Response, RequestError>,
      options: Executor.SubmitOptions<DeadlineExceeded> | undefined
    ) => R
  ): R => {
    // The session reads only a request's own options: the scheduling ones ride along unread (no copy).
    return f(work(init, init.backgroundCallback, backgroundWork), submitOptions(init))
  }

  /** The request's `background` work, checked now: a bad one refuses the request at the call. */
  const backgroundOf = (init: FuturesSession.FuturesRequestInit) =>
    background.check(init.background, init, init.stream ?? session.defaults().stream, workerPool)

  const track = (future: FuturesSession.ResponseFuture): FuturesSession.ResponseFuture => {
    if (pending !== undefined) {
      pending.add(future)
      future.unsafeAddObserver(() => pending.delete(future))
    }
    return future
  }

  /**
   * The request's signals (its own and the session's) cancel its future, queued (never sent) or running
   * (its socket closed), with the reason `"signal"`: the future, not the request inside it, listens, so
   * the request is sent with `signal: null`. The listeners go when the future is done.
   */
  const cancelledBy = (signals: ReadonlyArray<AbortSignal>) => (future: FuturesSession.ResponseFuture) => {
    const impl = future as FutureImpl<unknown, unknown>
    const already = signal.aborted(signals)
    if (already !== undefined) impl.owner.cancel(impl, "signal", already.reason)
    else future.unsafeAddObserver(signal.onAbort(signals, (reason) => impl.owner.cancel(impl, "signal", reason)))
    return track(future)
  }

  const signalsOf = (init: FuturesSession.FuturesRequestInit) =>
    signal.signalsOf(init.signal, session.defaults().signal)

  const closedError = () => new ExecutorShutdown({ operation: "submit" })

  /**
   * A request, refused or submitted: one path for `request` (an Effect: `executor.submit`, which keeps
   * the caller's context and can wait for room) and `unsafeRequest` (an Either: `unsafeSubmit`).
   */
  const requestWith = <R>(
    init: FuturesSession.FuturesRequestInit,
    submitTo: (
      work: Executor.Work<Response, RequestError>,
      options: Executor.SubmitOptions<DeadlineExceeded> | undefined
    ) => R,
    refuse: (error: FuturesSession.RequestRefused) => R,
    map: (submitted: R, f: (future: FuturesSession.ResponseFuture) => FuturesSession.ResponseFuture) => R
  ): R => {
    if (closed) return refuse(closedError())
    let backgroundWork: background.Work | undefined
    if (init.background !== undefined) {
      const checked = backgroundOf(init)
      if (Either.isLeft(checked)) return refuse(checked.left)
      backgroundWork = checked.right
    }
    const signals = signalsOf(init)
    if (signals === undefined) {
      const submitted = submit(init, backgroundWork, submitTo)
      return pending === undefined ? submitted : map(submitted, track)
    }
    return map(submit({ ...init, signal: null }, backgroundWork, submitTo), cancelledBy(signals))
  }

  const request = (
    init: FuturesSession.FuturesRequestInit
  ): Effect.Effect<FuturesSession.ResponseFuture, FuturesSession.RequestRefused> =>
    requestWith<Effect.Effect<FuturesSession.ResponseFuture, FuturesSession.RequestRefused>>(
      init,
      (work, options) => executor.submit(work, options),
      (error) => Effect.fail(error),
      (submitted, f) => Effect.map(submitted, f)
    )

  const unsafeRequest = (
    init: FuturesSession.FuturesRequestInit
  ): Either.Either<FuturesSession.ResponseFuture, FuturesSession.RequestRefused> =>
    requestWith<Either.Either<FuturesSession.ResponseFuture, FuturesSession.RequestRefused>>(
      init,
      (work, options) => executor.unsafeSubmit(work, options),
      (error) => Either.left(error),
      (submitted, f) => Either.map(submitted, f)
    )

  // Idempotent: a second call waits for the same futures.
  const close = ({ cancelFutures = false, interruptRunning = false }: FuturesSession.CloseOptions = {}) =>
    Effect.suspend((): Effect.Effect<void> => {
      closed = true
      if (pending === undefined) return executor.shutdown({ wait: true, cancelFutures, interruptRunning })
      const mine = Array.from(pending)
      for (const future of mine) {
        if (interruptRunning || (cancelFutures && future.unsafeState() === "pending")) future.unsafeCancel()
      }
      return Effect.forEach(mine, (future) => future.await, { discard: true })
    })

  const self: FuturesSession.FuturesSession = {
    session,
    executor,
    ownsExecutor,
    request,
    unsafeRequest,
    close,
    unsafeClosed: () => closed,
    ...methodShortcuts<FuturesSession.FuturesRequestOptions, Effect.Effect<FuturesSession.ResponseFuture, FuturesSession.RequestRefused>>(
      request
    )
  }
  return self
}

/** The origin a request's queue is named after; an unusable URL has none (the session refuses it anyway). */
const originOf = (url: string | URL): string | undefined => {
  try {
    return (typeof url === "string" ? new URL(url) : url).origin
  } catch {
    return undefined
  }
}

/** What an answer tells the executor about its host (for `adaptive`). */
const hostSignal = (exit: Exit.Exit<Response, RequestError>): Executor.HostSignal => {
  if (Exit.isSuccess(exit)) {
    const response = exit.value
    const retryAfterMs = retryAfter(response)
    if (response.statusCode === 429 || (response.statusCode === 503 && retryAfterMs !== undefined)) {
      return { _tag: "Throttled", retryAfterMs }
    }
    return ok
  }
  const error = Cause.failureOption(exit.cause)
  if (Option.isSome(error)) {
    const failure = error.value
    if (failure._tag === "RetryError") {
      const status = failure.response.statusCode
      const retryAfterMs = retryAfter(failure.response)
      if (status === 429 || (status === 503 && retryAfterMs !== undefined)) return { _tag: "Throttled", retryAfterMs }
    }
    if (failure._tag === "ConnectionError" && isReset(failure.cause)) return { _tag: "Reset" }
  }
  return ok
}

const ok: Executor.HostSignal = { _tag: "Ok" }

const isReset = (cause: unknown): boolean => {
  for (let c = cause, depth = 0; c !== undefined && c !== null && depth < 5; depth++) {
    if ((c as { readonly code?: unknown }).code === "ECONNRESET") return true
    c = (c as { readonly cause?: unknown }).cause
  }
  return false
}

export const make = (
  config: FuturesSession.FuturesSessionConfig = {}
): Effect.Effect<FuturesSession.FuturesSession, InvalidMaxWorkers | InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    const {
      adaptive,
      deadline,
      executor: givenExecutor,
      maxQueued,
      maxWorkers,
      onFull,
      perHost,
      session: givenSession,
      workerPool: givenPool,
      ...sessionConfig
    } = config
    yield* checkConfig(sessionConfig)
    const providedTransport = Option.getOrUndefined(yield* Effect.serviceOption(transportInternal.TransportTag))
    if (givenSession !== undefined || providedTransport !== undefined) {
      const unusable = checkOwnPoolSettings(
        sessionConfig,
        givenSession !== undefined ? "the given session's pool" : "the Transport in context"
      )
      if (unusable !== undefined) return yield* Effect.fail(unusable)
    }
    const provided = givenExecutor ?? Option.getOrUndefined(yield* Effect.serviceOption(executorInternal.ExecutorTag))
    const workers = provided?.maxWorkers ?? maxWorkers ?? executorInternal.defaultMaxWorkers
    // The transport is acquired first so that it is released last: on close, the requests are
    // interrupted before the pool is destroyed.
    // A given session with no settings beside it is used as it is, so later changes to it show.
    const session = givenSession !== undefined
      ? Object.values(sessionConfig).every((value) => value === undefined)
        ? givenSession
        : deriveSession(givenSession, sessionConfig)
      : sessionInternal.makeWith(
        sessionConfig,
        providedTransport ??
          // The pool never opens more connections to one origin than there are workers.
          (yield* transportInternal.make({
            ...sessionConfig,
            connections: sessionConfig.connections ?? (Number.isSafeInteger(workers) && workers > 0 ? workers : 1)
          }))
      )
    const executor: Executor.Executor = provided ??
      (yield* executorInternal.make({ maxWorkers, perHost, adaptive, maxQueued, onFull }))
    const workerPool = givenPool ?? Option.getOrUndefined(yield* Effect.serviceOption(BackgroundPool))
    const futures = makeWith(executor, session, provided === undefined, deadline, workerPool)
    // Closing the scope stops this session's work (an executor it made is shut down by its own scope).
    if (provided !== undefined) yield* Effect.addFinalizer(() => futures.close({ interruptRunning: true }))
    return futures
  })
