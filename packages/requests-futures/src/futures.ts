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
 * A future `asCompleted` hands out: the future itself (`instanceof Future`, `===` the one you passed),
 * typed without `then`.
 *
 * TypeScript types the variable of `for await` as the awaited item, which for a thenable future would
 * be its value, although the loop does not await what an async iterator yields. Any type with the
 * future's `then` is awaited so, hence the `Omit`. `f.result()`, `f.exception()`, `f.cancelled()`...
 * are typed as on `F`; to use it where an `F` is expected (a `Map` keyed by the futures), write
 * `future as F`.
 */
export type CompletedFuture<F> = Omit<F, "then">

/**
 * A future that completed, and how: `{ future, ok: true, value }` or `{ future, ok: false, error }`
 * (what `asSettled` hands out).
 */
export type Settlement<F> = F extends Future<infer T, infer E> ? { readonly future: F } & Settled<T, E> : never

/** The options of `asCompleted` and `asSettled` (a bare number is the `timeout`). */
export interface AsCompletedOptions {
  /**
   * Milliseconds, counted from the call, for all the futures to be done: after that the iteration
   * throws `TimeoutError` (the work goes on).
   *
   * @example
   * ```ts
   * for await (const future of asCompleted(futures, { timeout: 5_000 })) console.log(await future.result())
   * ```
   */
  readonly timeout?: number | undefined
}

/**
 * The futures themselves as they complete (finish or are cancelled), those already done first:
 * Python's `as_completed`. With `timeout` (ms), the iteration throws `TimeoutError` when they are not
 * all done in time (counted from the call; the work goes on). Breaking out of the loop stops the
 * waiting, not the work. A future given twice comes once.
 *
 * @example
 * ```ts
 * for await (const future of asCompleted(futures, { timeout: 10_000 })) {
 *   const error = await future.exception()
 *   if (error === null) console.log((await future.result()).statusCode)
 *   else console.log(error._tag)
 * }
 * ```
 */
export const asCompleted = <F extends Future<unknown, unknown>>(
  futures: Iterable<F>,
  options?: AsCompletedOptions | number
): AsyncIterableIterator<CompletedFuture<F>, undefined> =>
  new AsCompleted("asCompleted", futures, timeoutOf(options), (future) => future as CompletedFuture<F>)

/**
 * `asCompleted` with each future's outcome: `{ future, ok: true, value }` or `{ future, ok: false,
 * error }`, the error typed (a request's `RequestError | CancelledError`), so that nothing needs
 * awaiting in the loop.
 *
 * @example
 * ```ts
 * for await (const done of asSettled(futures)) {
 *   if (done.ok) console.log(done.value.url, done.value.statusCode)
 *   else console.log(done.error._tag)
 * }
 * ```
 */
export const asSettled = <F extends Future<unknown, unknown>>(
  futures: Iterable<F>,
  options?: AsCompletedOptions | number
): AsyncIterableIterator<Settlement<F>, undefined> =>
  new AsCompleted("asSettled", futures, timeoutOf(options), (future, settled) => ({ future, ...settled }) as Settlement<F>)

const timeoutOf = (options: AsCompletedOptions | number | undefined): number | undefined =>
  typeof options === "number" ? options : options?.timeout

/**
 * The iterator of `asCompleted` and `asSettled`, by hand rather than an async generator: a generator
 * awaits what it yields, which would turn a thenable future into its value.
 */
class AsCompleted<F extends Future<unknown, unknown>, Item> implements AsyncIterableIterator<Item, undefined> {
  readonly #all: ReadonlyArray<F>
  readonly #completed: Array<Item> = []
  readonly #stops: ReadonlyArray<() => void>
  readonly #deadline: number | undefined
  readonly #timeoutMs: number | undefined
  readonly #operation: string
  #next = 0
  #wake: (() => void) | undefined

  constructor(
    operation: string,
    futures: Iterable<F>,
    timeoutMs: number | undefined,
    item: (future: F, settled: Settled<unknown, unknown>) => Item
  ) {
    this.#operation = operation
    this.#timeoutMs = timeoutMs
    this.#deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
    this.#all = Array.from(new Set(futures))
    this.#stops = this.#all.map((future) =>
      future[observe]((settled) => {
        this.#completed.push(item(future, settled))
        this.#wake?.()
      })
    )
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<Item, undefined>> {
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

  async return(): Promise<IteratorResult<Item, undefined>> {
    return this.#end()
  }

  #end(): IteratorResult<Item, undefined> {
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
          new TimeoutError(`${unfinished} of the futures were not done within ${this.#timeoutMs} ms (${this.#operation})`, {
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
