/**
 * A pool of worker threads for `background` work (see `Background`), on `@effect/platform`'s `Worker`
 * and `@effect/platform-node`'s `NodeWorker`. It is its own entry point,
 * `@requests-futures/core/WorkerPool`, so that those packages (optional peer dependencies;
 * `@effect/platform-node` brings ~60 MB of peers) are needed only by those who import it.
 *
 * - `workers` threads (default `availableParallelism() - 1`, at least 1), each running one job at a
 *   time; jobs wait for a free thread.
 * - Shared: every FuturesSession given the pool (or made where its layer is provided) runs on it.
 * - Scoped: closing its scope (or the layer's) ends its threads; a job running then is abandoned.
 * - A thread that dies fails only the job it was running (`WorkerCrashed` for that request), and is
 *   started again (after a second: the platform's pace).
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const session = yield* FuturesSession.make({ maxWorkers: 8 })
 *   const future = yield* session.get(url, { background: { parse: "json" } })
 *   return (yield* future).data
 * }).pipe(Effect.scoped, Effect.provide(WorkerPool.layer({ workers: 2 })))
 * ```
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Background from "./Background.js"
import type { InvalidOption } from "./Errors.js"
import * as internal from "./internal/workerPool.js"

/**
 * @since 0.3.0
 */
export interface Options {
  /** Threads in the pool: a positive integer; default `availableParallelism() - 1`, at least 1. */
  readonly workers?: number | undefined
}

/** The default size: one thread per core but the caller's, at least one. */
export const defaultWorkers: () => number = internal.defaultWorkers

/**
 * A pool of worker threads, its threads started now and ended when the scope closes. A `workers` that
 * is not a positive integer fails with `InvalidOption`.
 *
 * @since 0.3.0
 */
export const make: (options?: Options) => Effect.Effect<Background.WorkerPool, InvalidOption, Scope.Scope> =
  internal.make

/**
 * The pool as the `Background.Pool` service: FuturesSessions made over this layer run their
 * `background` work on it.
 *
 * @since 0.3.0
 */
export const layer = (options?: Options): Layer.Layer<Background.Pool, InvalidOption> =>
  Layer.scoped(Background.Pool, make(options))
