/**
 * requests-futures/workers: a pool of worker threads for `background` work, its own entry point so
 * that `@effect/platform` and `@effect/platform-node` (optional peer dependencies; the latter brings
 * ~60 MB of peers) are loaded only by who imports it. The main entry never does.
 *
 * @example
 * ```ts
 * import { FuturesSession } from "requests-futures"
 * import { WorkerPool } from "requests-futures/workers"
 *
 * const pool = new WorkerPool({ workers: 2 })
 * const session = new FuturesSession({ workerPool: pool })
 * const response = await session.get("https://httpbin.org/json", { background: { parse: "json" } })
 * console.log(response.data)
 * await session.close()
 * await pool.close()
 * ```
 */
import type { Background as CoreBackground, Errors as CoreErrors } from "@requests-futures/core"
import * as CoreWorkerPool from "@requests-futures/core/WorkerPool"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Scope from "effect/Scope"
import { coreOf } from "./internal/core.js"
import { failureOf, fromRequestFailure } from "./internal/errors.js"
import { runPromise, runSync } from "./internal/run.js"

/** How the pool is doing: its size, threads alive, jobs running, done, and those whose thread died. */
export type WorkerPoolStats = CoreBackground.Stats

/** The settings of a `WorkerPool`. */
export interface WorkerPoolOptions {
  /**
   * How many threads (default: one per core but this one, at least 1). A positive integer, else the
   * constructor throws `InvalidOption`.
   *
   * @example
   * ```ts
   * new WorkerPool({ workers: 4 })
   * ```
   */
  readonly workers?: number | undefined
}

/**
 * Worker threads for the `background` work of `FuturesSession` requests (`{ parse: "json" }`,
 * `{ schema: { module, export } }`, `{ module, export }`): what Python users get from a
 * `ProcessPoolExecutor`. Share one between sessions (`new FuturesSession({ workerPool })`); a session's
 * `close()` leaves it running, `pool.close()` ends its threads. A thread that dies fails only the
 * request it was running (`WorkerCrashed`) and is started again.
 */
export class WorkerPool {
  /** @internal */
  readonly [coreOf]: CoreBackground.WorkerPool
  /** The number of threads. */
  readonly workers: number
  readonly #scope: Scope.CloseableScope
  #closing: Promise<void> | undefined

  constructor(options: WorkerPoolOptions = {}) {
    const scope = runSync(Scope.make())
    const ready = Deferred.unsafeMake<CoreBackground.WorkerPool, CoreErrors.InvalidOption>(FiberId.none)
    let made: Exit.Exit<CoreBackground.WorkerPool, CoreErrors.InvalidOption> | undefined
    // The threads start in the background; jobs wait for them.
    Effect.runFork(
      Scope.extend(CoreWorkerPool.make(options), scope).pipe(
        Effect.exit,
        Effect.tap((exit) => Effect.sync(() => made = exit)),
        Effect.flatMap((exit) => Deferred.done(ready, exit))
      )
    )
    // The fiber ran up to its first wait for a thread: an outcome already is a refusal (a bad `workers`).
    if (made !== undefined && Exit.isFailure(made)) {
      Effect.runFork(Scope.close(scope, Exit.void))
      throw fromRequestFailure(failureOf(made.cause))
    }
    this.#scope = scope
    this.workers = options.workers ?? CoreWorkerPool.defaultWorkers()
    this[coreOf] = {
      workers: this.workers,
      run: (job) => Effect.flatMap(Effect.orDie(Deferred.await(ready)), (pool) => pool.run(job)),
      stats: () =>
        made !== undefined && Exit.isSuccess(made)
          ? made.value.stats()
          : { workers: this.workers, threads: 0, busy: 0, completed: 0, crashed: 0, sliced: 0 }
    }
  }

  /** Its threads alive, jobs running and done, and crashes so far. */
  stats(): WorkerPoolStats {
    return this[coreOf].stats()
  }

  /** Ends the threads (a job running is abandoned: its request fails). Idempotent. */
  close(): Promise<void> {
    return this.#closing ??= runPromise(Scope.close(this.#scope, Exit.void))
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
