import { Future as CoreFuture } from "@requests-futures/core"
import * as Effect from "effect/Effect"
import { TimeoutError } from "./errors/TimeoutError.js"
import { type Future, observe } from "./Future.js"
import { coreOf } from "./internal/core.js"
import type { WaitOptions } from "./types/options.js"

/** What `wait` returns: the futures done and not done when it returned. */
export interface WaitResult<F> {
  readonly done: Set<F>
  readonly notDone: Set<F>
}

/**
 * The futures as they complete (finish or are cancelled), those already done first: Python's
 * `as_completed`. With `timeoutMs`, the iteration throws `TimeoutError` when they are not all done
 * in time (counted from the call; the work goes on). Breaking out of the loop stops the waiting,
 * not the work.
 *
 * @example
 * ```ts
 * for await (const future of asCompleted(futures)) {
 *   const response = await future
 *   console.log(response.url, response.statusCode)
 * }
 * ```
 */
export async function* asCompleted<F extends Future<unknown, unknown>>(
  futures: Iterable<F>,
  timeoutMs?: number
): AsyncGenerator<F, void, undefined> {
  const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
  const all = Array.from(new Set(futures))
  const completed: Array<F> = []
  let wake: (() => void) | undefined
  const stops = all.map((future) =>
    future[observe](() => {
      completed.push(future)
      wake?.()
    })
  )
  try {
    for (let next = 0; next < all.length; next++) {
      if (next === completed.length) {
        await new Promise<void>((resolve, reject) => {
          const timer = deadline === undefined ? undefined : setTimeout(() => {
            wake = undefined
            const unfinished = all.length - completed.length
            reject(
              new TimeoutError(`${unfinished} of the futures were not done within ${timeoutMs} ms (asCompleted)`, {
                timeoutMs: timeoutMs ?? 0,
                unfinished
              })
            )
          }, Math.max(0, deadline - performance.now()))
          wake = () => {
            wake = undefined
            clearTimeout(timer)
            resolve()
          }
        })
      }
      yield completed[next]!
    }
  } finally {
    for (const stop of stops) stop()
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
  const { done, notDone } = await Effect.runPromise(
    CoreFuture.wait(byCore.keys(), { returnWhen: options?.returnWhen, timeout: options?.timeout })
  )
  const facade = (cores: ReadonlySet<CoreFuture.Future<unknown, unknown>>) =>
    new Set(Array.from(cores, (core) => byCore.get(core)!))
  return { done: facade(done), notDone: facade(notDone) }
}
