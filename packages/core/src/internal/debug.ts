/**
 * `NODE_DEBUG=requests-futures`: one line per request on stderr (Node's `util.debuglog`), with its
 * method, URL (password redacted), status or error tag, and times. Whether it is on is read once, when
 * this module loads: off, the pipeline does not wrap anything.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { debuglog } from "node:util"
import type { RequestInit } from "../Request.js"
import type { Response } from "../Response.js"
import type * as Session from "../Session.js"
import * as Task from "../Task.js"
import { redactUrl } from "./url.js"

const log = debuglog("requests-futures")

/** Whether `NODE_DEBUG` names `requests-futures` (read once). */
export const enabled: boolean = log.enabled

const outcomeOf = (exit: Exit.Exit<Response, unknown>): string => {
  if (Exit.isSuccess(exit)) return String(exit.value.statusCode)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    const tag = (failure.value as { readonly _tag?: unknown } | null)?._tag
    return typeof tag === "string" ? tag : "failed"
  }
  return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
}

const ms = (n: number): string => n.toFixed(1)

/**
 * `task`, printing its line when it settles: `GET http://user:***@host/path 200 queued=0.0ms
 * elapsed=3.1ms total=3.1ms` (`queued`: in the executor's queue; `elapsed`: from the start to the
 * response or error; `total`: both). An aborted task prints `cancelled`.
 */
export const logged = <E>(
  task: Task.Task<Response, E>,
  init: RequestInit,
  timing: Session.RequestTiming | undefined
): Task.Task<Response, E> =>
  Task.make((resume) => {
    const startedAt = performance.now()
    let printed = false
    const print = (outcome: string) => {
      if (printed) return
      printed = true
      const queued = timing?.queuedMs ?? 0
      const elapsed = performance.now() - startedAt
      const method = typeof init.method === "string" ? init.method.toUpperCase() : String(init.method)
      const url = typeof init.url === "string" || init.url instanceof URL ? redactUrl(init.url) : String(init.url)
      log(`${method} ${url} ${outcome} queued=${ms(queued)}ms elapsed=${ms(elapsed)}ms total=${ms(queued + elapsed)}ms`)
    }
    let resumed = false
    const abort = task.start((step) => {
      resumed = true
      if (step._tag !== "Continue") {
        print(outcomeOf(step))
        return resume(step)
      }
      resume(Task.continueWith(Effect.onExit(step.effect, (exit) => Effect.sync(() => print(outcomeOf(exit))))))
    })
    return () => {
      if (!resumed) print("cancelled")
      abort()
    }
  })
