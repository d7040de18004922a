/**
 * `AbortSignal`s of a request (its own and its session's): one listener per signal while the request
 * runs, removed when it settles, so that a long-lived session signal collects no listeners.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { RequestCancelled } from "../Errors.js"
import type { RequestInit } from "../Request.js"
import * as Task from "../Task.js"
import { redactUrl } from "./url.js"
import { isSignal } from "./validate.js"

/**
 * The signals that cancel a request: its own and its session's (`null`: not the session's); none is
 * `undefined`. A value that is no signal is left out here: the request's check refuses it
 * (`InvalidOption`).
 */
export const signalsOf = (
  own: AbortSignal | null | undefined,
  session: AbortSignal | undefined
): ReadonlyArray<AbortSignal> | undefined => {
  if (own === null) return undefined
  const mine = isSignal(own) ? own : undefined
  const theirs = isSignal(session) ? session : undefined
  if (mine === undefined) return theirs === undefined ? undefined : [theirs]
  return theirs === undefined || theirs === mine ? [mine] : [mine, theirs]
}

/** The first aborted one, if any. */
export const aborted = (signals: ReadonlyArray<AbortSignal>): AbortSignal | undefined =>
  signals.find((signal) => signal.aborted)

/**
 * Calls `f` with the reason of the first signal to abort, once; returns what removes the listeners
 * (call it when the request settles).
 */
export const onAbort = (signals: ReadonlyArray<AbortSignal>, f: (reason: unknown) => void): () => void => {
  let listening = true
  const remove = () => {
    if (!listening) return
    listening = false
    for (const signal of signals) signal.removeEventListener("abort", listener)
  }
  const listener = (event: Event) => {
    remove()
    f((event.target as AbortSignal).reason)
  }
  for (const signal of signals) signal.addEventListener("abort", listener)
  return remove
}

/** The method and URL a `RequestCancelled` names (the URL as given, its password redacted). */
const requestOf = (init: RequestInit): { readonly method: string; readonly url: string } => ({
  method: typeof init.method === "string" ? init.method.toUpperCase() : String(init.method),
  url: typeof init.url === "string" || init.url instanceof URL ? redactUrl(init.url) : String(init.url)
})

const cancelled = (init: RequestInit, cause: unknown, wasRunning: boolean) =>
  new RequestCancelled({ ...requestOf(init), cause, wasRunning })

/** Fails with `RequestCancelled` when a signal aborts (the listeners go when it is interrupted). */
const whenAborted = (init: RequestInit, signals: ReadonlyArray<AbortSignal>): Effect.Effect<never, RequestCancelled> =>
  Effect.async<never, RequestCancelled>((resume) => {
    const already = aborted(signals)
    if (already !== undefined) return resume(Exit.fail(cancelled(init, already.reason, true)))
    const remove = onAbort(signals, (reason) => resume(Exit.fail(cancelled(init, reason, true))))
    return Effect.sync(remove)
  })

/**
 * `task`, cancelled by `signals`: an aborted one fails it at once, before it starts (nothing is sent);
 * one that aborts while it runs aborts it (its socket is closed), or interrupts the effect it handed
 * over (a race with the signal), and fails it with `RequestCancelled`. Settled, it listens no more.
 */
export const cancellable = <A, E>(
  task: Task.Task<A, E>,
  init: RequestInit,
  signals: ReadonlyArray<AbortSignal>
): Task.Task<A, E | RequestCancelled> =>
  Task.make((resume) => {
    const already = aborted(signals)
    if (already !== undefined) {
      resume(Exit.fail(cancelled(init, already.reason, false)))
      return () => {}
    }
    let settled = false
    let removeListeners: (() => void) | undefined
    const abort = task.start((step) => {
      if (settled) return
      settled = true
      removeListeners?.()
      if (step._tag !== "Continue") return resume(step)
      // Handed over to a fiber: the signal races the rest of the work (which is interrupted if the
      // signal wins, so that what it holds is released).
      resume(Task.continueWith(Effect.raceFirst(step.effect, whenAborted(init, signals))))
    })
    // Listened to after the start: a task that resumed at once (a refused option) leaves no listener.
    if (!settled) {
      removeListeners = onAbort(signals, (reason) => {
        if (settled) return
        settled = true
        abort()
        resume(Exit.fail(cancelled(init, reason, true)))
      })
    }
    return () => {
      if (settled) return
      settled = true
      removeListeners?.()
      abort()
    }
  })
