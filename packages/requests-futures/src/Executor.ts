import { Executor as CoreExecutor } from "@requests-futures/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Future, type FutureKind } from "./Future.js"
import { coreOf } from "./internal/core.js"
import { fromFutureFailure } from "./internal/errors.js"
import { runPromise } from "./internal/run.js"
import { makeWorker, workers } from "./internal/worker.js"
import type { ErrorReporter, ExecutorOptions, MapOptions, ShutdownOptions } from "./types/options.js"
import { type InspectArgs, inspectAs } from "./utils/inspect.js"
import { reportToConsole } from "./utils/report.js"

/** Live counters of an executor: `submitted = queued + running + completed + failed + cancelled`. */
export type ExecutorStats = CoreExecutor.Stats

/** Live counters of one host's queue (see `FuturesSessionOptions.perHost`). */
export type HostStats = CoreExecutor.HostStats

/** Set while `wrapExecutor` constructs: the core executor to wrap instead of making one. */
let wrapping: CoreExecutor.Executor | undefined

/** @internal The facade over an executor the core made (a session's own). */
export const wrapExecutor = (core: CoreExecutor.Executor, onError: ErrorReporter | undefined): Executor => {
  wrapping = core
  try {
    return new Executor({ onError })
  } finally {
    wrapping = undefined
  }
}

/**
 * A bounded pool of workers (Python's `ThreadPoolExecutor`): at most `maxWorkers` submitted functions run
 * at once, the others wait in a FIFO queue. Share one between sessions to bound them all together.
 *
 * @example
 * ```ts
 * const executor = new Executor({ maxWorkers: 10 })
 * const session = new FuturesSession({ executor })
 * const square = executor.submit(() => 6 * 7)
 * console.log(await square) // 42
 * await session.close()
 * await executor.shutdown()
 * ```
 */
export class Executor implements AsyncDisposable {
  /** @internal */
  readonly [coreOf]: CoreExecutor.Executor
  readonly #kind: FutureKind<unknown>

  /** Throws `InvalidMaxWorkers` unless `maxWorkers` is a positive integer. */
  constructor(options: ExecutorOptions = {}) {
    if (wrapping !== undefined) {
      this[coreOf] = wrapping
    } else {
      const { onError: _onError, ...settings } = options
      const made = CoreExecutor.unsafeMake(settings)
      if (Either.isLeft(made)) throw fromFutureFailure({ error: made.left })
      this[coreOf] = made.right
    }
    const report = options.onError ?? reportToConsole
    this.#kind = { mapValue: undefined, mapFailure: fromFutureFailure, report }
  }

  get maxWorkers(): number {
    return this[coreOf].maxWorkers
  }

  /**
   * Runs `fn` on a worker and returns its future at once. `fn` gets an `AbortSignal` that aborts when the
   * future is cancelled while running. A throw or a rejection is the future's error, as it is.
   * Throws `ExecutorShutdown` after `shutdown()`. When `fn` awaits a future of this executor that is
   * still queued (a request of a session sharing it), its worker slot is lent until that future is done,
   * so that it runs even when every worker waits (no deadlock at `maxWorkers: 1`).
   *
   * @example
   * ```ts
   * const future = executor.submit((signal) => fetch(url, { signal }).then((r) => r.text()))
   * ```
   */
  submit<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>): Future<T, unknown> {
    // `fn` runs as a worker of this executor: awaiting one of its queued futures lends its slot.
    const worker = makeWorker(this[coreOf])
    const work = Effect.tryPromise<T, unknown>({
      try: async (signal) => await workers.run(worker, () => fn(signal)),
      catch: (error) => error
    })
    const submitted = this[coreOf].unsafeSubmit(work)
    if (Either.isLeft(submitted)) throw fromFutureFailure({ error: submitted.left })
    worker.future = submitted.right
    return new Future(submitted.right, this.#kind as FutureKind<T>)
  }

  /**
   * Python's `executor.map`: submits `fn(item, index, signal)` for every item at once and resolves with
   * the results in input order; at most `maxWorkers` run at once. The first failure in input order
   * rejects (with the error as thrown), and the work not done then is cancelled (its `signal` aborts),
   * as it is after `timeout` (`TimeoutError`). Rejects with `ExecutorShutdown` after `shutdown()`.
   *
   * @example
   * ```ts
   * const statuses = await executor.map(async (url) => (await session.get(url)).statusCode, urls)
   * ```
   */
  async map<I, R>(
    fn: (item: I, index: number, signal: AbortSignal) => R | PromiseLike<R>,
    items: Iterable<I>,
    options?: MapOptions
  ): Promise<Array<R>> {
    const results = await runPromise(this[coreOf].map(
      items,
      (item, index) =>
        Effect.tryPromise<R, unknown>({ try: async (signal) => await fn(item, index, signal), catch: (error) => error }),
      { timeout: options?.timeout }
    ))
    return Array.from(results)
  }

  /**
   * Stops accepting work (`concurrent.futures`' `shutdown`): by default waits until every accepted
   * future is done. Idempotent.
   *
   * @example
   * ```ts
   * await executor.shutdown({ cancelFutures: true }) // drop the queue, let the running finish
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    return runPromise(this[coreOf].shutdown(options))
  }

  /** Per host (origin): running, queued, the limit in force, a pause, rate tokens; the hosts seen so far. */
  hostStats(): ReadonlyArray<HostStats> {
    return this[coreOf].unsafeHostStats()
  }

  stats(): ExecutorStats {
    return this[coreOf].unsafeStats()
  }

  /** `console.log(executor)`: `Executor { maxWorkers: 2, running: 1, queued: 0, ... }`, its `stats()`. */
  [Symbol.for("nodejs.util.inspect.custom")](...args: InspectArgs): string {
    return inspectAs("Executor", { ...this.stats() }, ...args)
  }

  /** `await using executor = new Executor()`: `shutdown()` at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown()
  }
}
