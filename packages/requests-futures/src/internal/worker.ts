/**
 * Managed blocking for Promise code: a function submitted to an `Executor` runs with the executor in an
 * `AsyncLocalStorage`, so that when it (or anything it awaits) waits on a queued future of the same
 * executor, the core lends its slot until that future is done: a worker that waits on a future queued
 * behind it no longer hangs the executor. Effect code has this in the core already (a FiberRef).
 */
import type { Executor as CoreExecutor, Future as CoreFuture } from "@requests-futures/core"
import { AsyncLocalStorage } from "node:async_hooks"

/** The work a function submitted to an executor runs as. */
export interface Worker {
  readonly executor: CoreExecutor.Executor
  /** Its future, once submitted: a slot is lent only while it holds one. */
  future: CoreFuture.Future<unknown, unknown> | undefined
  /** The futures it lent its slot for (once each). */
  readonly lentFor: WeakSet<CoreFuture.Future<unknown, unknown>>
}

export const workers = new AsyncLocalStorage<Worker>()

export const makeWorker = (executor: CoreExecutor.Executor): Worker => ({
  executor,
  future: undefined,
  lentFor: new WeakSet()
})

/** Called when Promise code starts waiting on `future`: lends the waiting worker's slot if that is what it is. */
export const managedWait = (future: CoreFuture.Future<unknown, unknown>): void => {
  const worker = workers.getStore()
  if (worker === undefined || worker.future?.unsafeRunning() !== true || future.unsafeDone()) return
  if (worker.lentFor.has(future)) return
  worker.lentFor.add(future)
  future.unsafeAddObserver(worker.executor.unsafeManagedWait(future))
}
