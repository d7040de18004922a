import { Future as CoreFuture } from "@requests-futures/core"
import { TimeoutError } from "./errors/TimeoutError.js"
import { type Future, observe, type Settled } from "./Future.js"
import { coreOf } from "./internal/core.js"
import { runPromise } from "./internal/run.js"
import type { WaitOptions } from "./types/options.js"

/** What `wait` returns: the futures done and not done when it returned. */
export interface WaitResult<F> {
  readonly done: Set<F>
  readonly notDone: Set<F>
}

/**
 * A future that completed, and how: `{ future, ok: true, value }` or `{ future, ok: false, error }`.
 * (`asCompleted` hands out this record rather than the bare future: `for await` types, and an async
 * generator awaits, anything thenable it iterates, which would turn each future into its value.)
 */
export type Completed<F> = F extends Future<infer T, infer E> ? { readonly future: F } & Settled<T, E> : never

/**
 * The futures as they complete (finish or are cancelled), those already done first: Python's
 * `as_completed`. Each comes with its outcome (see {@link Completed}). With `timeoutMs`, the iteration
 * throws `TimeoutError` when they are not all done in time (counted from the call; the work goes on).
 * Breaking out of the loop stops the waiting, not the work.
 *
 * @example
 * ```ts
 * for await (const done of asCompleted(futures)) {
 *   if (done.ok) console.log(done.value.url, done.value.statusCode)
 *   else console.log(done.error._tag)
 * }
 * ```
 */
export const asCompleted = <F extends Future<unknown, unknown>>(
  futures: Iterable<F>,
  timeoutMs?: number
): AsyncIterableIterator<Completed<F>, undefined> => new AsCompleted(futures, timeoutMs)

class AsCompleted<F extends Future<unknown, unknown>> implements AsyncIterableIterator<Completed<F>, undefined> {
  readonly #all: ReadonlyArray<F>
  readonly #completed: Array<Completed<F>> = []
  readonly #stops: ReadonlyArray<() => void>
  readonly #deadline: number | undefined
  readonly #timeoutMs: number | undefined
  #next = 0
  #wake: (() => void) | undefined

  constructor(futures: Iterable<F>, timeoutMs: number | undefined) {
    this.#timeoutMs = timeoutMs
    this.#deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
    this.#all = Array.from(new Set(futures))
    this.#stops = this.#all.map((future) =>
      future[observe]((settled) => {
        this.#completed.push({ future, ...settled } as Completed<F>)
        this.#wake?.()
      })
    )
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<Completed<F>, undefined>> {
    if (this.#next === this.#all.length) return this.#end()
    if (this.#next === this.#completed.length) {
      try {
        await this.#nextCompletion()
      } catch (error) {
        this.#end()
        throw error
      }
    }
    return { done: false, value: this.#completed[this.#next++]! }
  }

  async return(): Promise<IteratorResult<Completed<F>, undefined>> {
    return this.#end()
  }

  #end(): IteratorResult<Completed<F>, undefined> {
    for (const stop of this.#stops) stop()
    this.#next = this.#all.length
    return { done: true, value: undefined }
  }

  #nextCompletion(): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = this.#deadline
      const timer = deadline === undefined ? undefined : setTimeout(() => {
        this.#wake = undefined
        const unfinished = this.#all.length - this.#completed.length
        reject(
          new TimeoutError(`${unfinished} of the futures were not done within ${this.#timeoutMs} ms (asCompleted)`, {
            timeoutMs: this.#timeoutMs ?? 0,
            unfinished
          })
        )
      }, Math.max(0, deadline - performance.now()))
      this.#wake = () => {
        this.#wake = undefined
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

/**
 * Waits for the futures and splits them into `done` and `notDone` (Python's `concurrent.futures.wait`):
 * when all are done (default), when the first is (`"FIRST_COMPLETED"`), or when the first fails
 * (`"FIRST_EXCEPTION"`). With `timeout` (ms), returns what is done by then. Never rejects.
 *
 * @example
 * ```ts
 * const { done, notDone } = await wait(futures, { returnWhen: "FIRST_COMPLETED", timeout: 2_000 })
 * ```
 */
export const wait = async <F extends Future<unknown, unknown>>(
  futures: Iterable<F>,
  options?: WaitOptions
): Promise<WaitResult<F>> => {
  const byCore = new Map<CoreFuture.Future<unknown, unknown>, F>()
  for (const future of futures) byCore.set(future[coreOf], future)
  const { done, notDone } = await runPromise(
    CoreFuture.wait(byCore.keys(), { returnWhen: options?.returnWhen, timeout: options?.timeout })
  )
  const facade = (cores: ReadonlySet<CoreFuture.Future<unknown, unknown>>) =>
    new Set(Array.from(cores, (core) => byCore.get(core)!))
  return { done: facade(done), notDone: facade(notDone) }
}
