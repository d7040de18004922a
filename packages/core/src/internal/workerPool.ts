import * as Worker from "@effect/platform/Worker"
import type { WorkerError } from "@effect/platform/WorkerError"
import * as Transferable from "@effect/platform/Transferable"
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as Logger from "effect/Logger"
import type * as Scope from "effect/Scope"
import { availableParallelism } from "node:os"
import * as WorkerThreads from "node:worker_threads"
import type * as Background from "../Background.js"
import { InvalidOption } from "../Errors.js"
import * as Slices from "./slices.js"
import type * as WorkerPool from "../WorkerPool.js"

/**
 * The thread's program: plain JavaScript next to `src` and `dist` (both two levels below the
 * package), so that Node runs the same file from the sources and from the published package.
 */
const program = new URL("../../worker/background.mjs", import.meta.url)

export const defaultWorkers = (): number => Math.max(1, availableParallelism() - 1)

/** What the thread answers when a job fails (the body's bytes come back with it). */
type Failure = Extract<Background.Outcome, { readonly _tag: "Failed" }> extends infer F
  ? Omit<F, "_tag">
  : never

/** A large result comes as `slices` (`data` is then undefined), to be put back together here. */
interface Output {
  readonly data: unknown
  readonly slices?: ReadonlyArray<ArrayBuffer> | undefined
  readonly content: Uint8Array
}

/** A WorkerError that says the thread is gone (its exit, an uncaught error in it, or a failed start). */
const isCrash = (error: WorkerError) => error.reason === "unknown" || error.reason === "spawn"

const checkWorkers = (workers: unknown): Either.Either<number, InvalidOption> =>
  workers === undefined
    ? Either.right(defaultWorkers())
    : typeof workers === "number" && Number.isSafeInteger(workers) && workers > 0
    ? Either.right(workers)
    : Either.left(new InvalidOption({ option: "workers", value: workers, reason: "a positive integer" }))

export const make = (
  options: WorkerPool.Options = {}
): Effect.Effect<Background.WorkerPool, InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    const workers = yield* checkWorkers(options.workers)
    const threads = new Set<WorkerThreads.Worker>()
    let busy = 0
    let completed = 0
    let crashed = 0
    let sliced = 0
    const spawn = () => {
      const thread = new WorkerThreads.Worker(program)
      threads.add(thread)
      thread.once("exit", () => threads.delete(thread))
      return thread
    }
    // Registered first, so run last: once the platform has asked each thread to close (or killed it
    // after 5 s), closing the scope waits until every thread has exited.
    yield* Effect.addFinalizer(() =>
      Effect.promise(() =>
        Promise.all(Array.from(threads, (thread) => new Promise((exited) => thread.once("exit", exited))))
      )
    )
    const context = yield* Layer.build(NodeWorker.layer(spawn))
    const pool = yield* Worker.makePool<Background.Job, Output, Failure>({
      size: workers,
      // The body's buffer moves to the thread (the caller made sure it owns it whole).
      encode: (job) => Effect.as(Transferable.addAll([job.content.buffer]), job)
    }).pipe(
      Effect.provide(context),
      // It fails only when a thread cannot start at all: the program next to this file is missing.
      Effect.orDie,
      // A thread that dies is logged by the platform as a warning each time; the request it ran fails
      // with a typed `WorkerCrashed`, which says the same to whom it concerns.
      Logger.withMinimumLogLevel(LogLevel.Error),
      // The platform restarts a dead thread after a second of its Clock: real time, whatever the
      // caller's Clock is (under a TestClock the thread would never come back).
      Effect.withClock(Clock.make())
    )

    const run = (job: Background.Job): Effect.Effect<Background.Outcome, Background.Crashed> =>
      Effect.suspend(() => {
        busy++
        return pool.executeEffect(job)
      }).pipe(
        Effect.flatMap((output) =>
          Effect.map(
            output.slices === undefined
              ? Effect.succeed(output.data)
              : Effect.zipLeft(Slices.assemble(output.slices), Effect.sync(() => sliced++)),
            (data): Background.Outcome => ({ _tag: "Done", data, content: output.content })
          )
        ),
        Effect.catchAllCause((cause): Effect.Effect<Background.Outcome, Background.Crashed> => {
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
          const failure = Cause.failureOption(cause)
          if (failure._tag === "Some") {
            const error = failure.value
            if (!("_tag" in error)) return Effect.succeed({ _tag: "Failed", ...error })
            if (isCrash(error)) {
              crashed++
              return Effect.fail({ _tag: "Crashed", cause: error.cause })
            }
            return Effect.succeed({ _tag: "Failed", reason: "work", error: error.cause ?? error, content: job.content })
          }
          // A defect in the thread (a result that cannot be cloned back, say).
          return Effect.succeed({ _tag: "Failed", reason: "work", error: Cause.squash(cause), content: job.content })
        }),
        Effect.ensuring(Effect.sync(() => {
          busy--
          completed++
        }))
      )

    return {
      workers,
      run,
      stats: () => ({ workers, threads: threads.size, busy, completed, crashed, sliced })
    }
  })
