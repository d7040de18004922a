import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Executor from "../src/Executor.js"
import * as Future from "../src/Future.js"
import { eventually } from "./helpers.js"

/** Counts how many tasks run at once and the order in which they start. */
const makeTracker = () => {
  let current = 0
  let max = 0
  const starts: Array<number> = []
  const task = (id: number, ms: number) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        current++
        max = Math.max(max, current)
        starts.push(id)
      }),
      () => Effect.sleep(ms),
      () => Effect.sync(() => current--)
    ).pipe(Effect.as(id))
  return { task, starts, max: () => max, current: () => current }
}

const now = () => performance.now()

describe("Executor", () => {
  describe("make", () => {
    it.live("runs at most maxWorkers effects at once, starting them in FIFO submission order", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 2 })
        const tracker = makeTracker()
        const start = now()
        const futures = yield* Effect.forEach([0, 1, 2, 3, 4, 5], (i) => executor.submit(tracker.task(i, 100)))
        const results = yield* Effect.forEach(futures, (future) => future.result())
        const elapsed = now() - start
        expect(results).toEqual([0, 1, 2, 3, 4, 5])
        expect(tracker.max()).toBe(2)
        expect(tracker.starts).toEqual([0, 1, 2, 3, 4, 5])
        expect(elapsed).toBeGreaterThanOrEqual(290)
        expect(elapsed).toBeLessThan(900)
      }).pipe(Effect.scoped))

    it.scoped("defaults to 2 workers", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        expect(executor.maxWorkers).toBe(2)
        expect(Executor.defaultMaxWorkers).toBe(2)
        const stats = yield* executor.stats
        expect(stats).toEqual({
          maxWorkers: 2,
          lent: 0,
          running: 0,
          queued: 0,
          waiting: 0,
          backingOff: 0,
          retained: 0,
          submitted: 0,
          completed: 0,
          failed: 0,
          cancelled: 0,
          isShutdown: false
        })
      }))

    it.scoped("fails with a typed InvalidMaxWorkers for 0, -1, 1.5, NaN and Infinity", () =>
      Effect.gen(function*() {
        for (const maxWorkers of [0, -1, 1.5, NaN, Infinity]) {
          const error = yield* Effect.flip(Executor.make({ maxWorkers }))
          expect(error).toBeInstanceOf(Executor.InvalidMaxWorkers)
          expect(error._tag).toBe("InvalidMaxWorkers")
          expect(error.maxWorkers).toBe(maxWorkers)
          expect(error.message).toContain("maxWorkers must be a positive integer")
          expect(error.message).toContain(String(maxWorkers))
          const unsafe = Executor.unsafeMake({ maxWorkers })
          expect(Either.isLeft(unsafe)).toBe(true)
        }
      }))

    it.effect("unsafeMake returns an executor without a scope; the caller shuts it down", () =>
      Effect.gen(function*() {
        const executor = Either.getOrThrow(Executor.unsafeMake({ maxWorkers: 3 }))
        expect(Executor.isExecutor(executor)).toBe(true)
        expect(Executor.isExecutor({})).toBe(false)
        const future = Either.getOrThrow(executor.unsafeSubmit(Effect.succeed("ok")))
        expect(yield* future.result()).toBe("ok")
        executor.unsafeShutdown()
        expect(executor.unsafeStats().isShutdown).toBe(true)
        const refused = executor.unsafeSubmit(Effect.void)
        expect(Either.isLeft(refused) && refused.left._tag === "ExecutorShutdown").toBe(true)
      }))
  })

  describe("submit", () => {
    it.scoped("returns the future at once, before the work starts", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        let started = false
        const future = yield* executor.submit(Effect.sync(() => {
          started = true
          return 1
        }))
        expect(started).toBe(false)
        expect(future.unsafeDone()).toBe(false)
        expect(yield* future.result()).toBe(1)
        expect(started).toBe(true)
      }))

    it.scoped("is pipeable from the work", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* Effect.succeed(21).pipe(Effect.map((n) => n * 2), Executor.submit(executor))
        expect(yield* Future.result(future)).toBe(42)
        const other = yield* Executor.submit(executor, Effect.succeed("x"))
        expect(yield* other.result()).toBe("x")
      }))

    it.live("tells the work how long it was queued", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        yield* executor.submit(Effect.sleep(60))
        const future = yield* executor.submit((info) => Effect.succeed(info))
        const info = yield* future.result()
        expect(info.futureId).toBe(future.id)
        expect(info.queuedMs).toBeGreaterThanOrEqual(50)
        expect(info.queuedMs).toBeCloseTo(info.startedAt - info.submittedAt, 6)
        const timings = yield* future.timings
        expect(timings.submittedAt).toBe(info.submittedAt)
        expect(timings.startedAt).toEqual(Option.some(info.startedAt))
        expect(Option.getOrThrow(timings.finishedAt)).toBeGreaterThanOrEqual(info.startedAt)
      }).pipe(Effect.scoped))

    it.scoped("a work function that throws makes the future die with that defect", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit((): Effect.Effect<number> => {
          throw new Error("bad work")
        })
        const exit = yield* Effect.exit(future.result())
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("bad work")
        expect((yield* executor.stats).failed).toBe(1)
      }))

    it.scoped("runs the work on its own fiber, which outlives the fiber that submitted it", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const release = yield* Deferred.make<void>()
        const submitter = yield* Effect.fork(executor.submit(Deferred.await(release).pipe(Effect.as("survived"))))
        const future = yield* Fiber.join(submitter)
        // the submitter is gone; interrupting it now changes nothing
        yield* Fiber.interrupt(submitter)
        yield* Deferred.succeed(release, undefined)
        expect(yield* future.result()).toBe("survived")
      }))

    it.live("one executor shared by two users keeps one global bound", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 3 })
        const tracker = makeTracker()
        const user = (base: number) =>
          Effect.forEach([0, 1, 2, 3], (i) => executor.submit(tracker.task(base + i, 50))).pipe(
            Effect.flatMap(Effect.forEach((future) => future.result()))
          )
        const [a, b] = yield* Effect.all([user(0), user(100)], { concurrency: 2 })
        expect(a).toEqual([0, 1, 2, 3])
        expect(b).toEqual([100, 101, 102, 103])
        expect(tracker.max()).toBe(3)
      }).pipe(Effect.scoped))
  })

  describe("stats", () => {
    it.scoped("count running, queued, completed, failed and cancelled futures", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 2 })
        const gate = yield* Deferred.make<void>()
        const started = yield* Deferred.make<void>()
        const blocker = yield* executor.submit(Deferred.succeed(started, undefined).pipe(
          Effect.zipRight(Deferred.await(gate))
        ))
        const failing = yield* executor.submit(Effect.fail("nope"))
        yield* Effect.exit(failing.result())
        yield* Deferred.await(started)
        const queuedA = yield* executor.submit(Deferred.await(gate))
        const queuedB = yield* executor.submit(Deferred.await(gate))
        const queuedC = yield* executor.submit(Deferred.await(gate))
        // blocker and queuedA hold the two slots
        expect(yield* executor.stats).toMatchObject({ running: 2, queued: 2, submitted: 5, failed: 1 })
        expect(yield* queuedC.cancel).toBe(true)
        expect(yield* executor.stats).toMatchObject({ running: 2, queued: 1, cancelled: 1 })
        yield* Deferred.succeed(gate, undefined)
        yield* Effect.forEach([blocker, queuedA, queuedB], (future) => future.result())
        expect(executor.unsafeStats()).toEqual({
          maxWorkers: 2,
          lent: 0,
          running: 0,
          queued: 0,
          waiting: 0,
          backingOff: 0,
          retained: 0,
          submitted: 5,
          completed: 3,
          failed: 1,
          cancelled: 1,
          isShutdown: false
        })
        expect(String(executor)).toContain("\"_id\": \"Executor\"")
      }))
  })

  describe("shutdown", () => {
    it.scoped("makes further submits, maps and map streams fail with ExecutorShutdown", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        yield* executor.shutdown()
        const error = yield* Effect.flip(executor.submit(Effect.void))
        expect(error._tag).toBe("ExecutorShutdown")
        expect(error.message).toContain("shut down")
        expect((yield* Effect.flip(executor.map([1], Effect.succeed)))._tag).toBe("ExecutorShutdown")
        expect((yield* Effect.flip(Stream.runDrain(executor.mapStream([1], Effect.succeed))))._tag).toBe(
          "ExecutorShutdown"
        )
        expect(yield* executor.isShutdown).toBe(true)
      }))

    it.live("with wait: true (the default) waits for running and queued futures, which all run", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const tracker = makeTracker()
        const futures = yield* Effect.forEach([0, 1, 2], (i) => executor.submit(tracker.task(i, 30)))
        yield* executor.shutdown()
        expect(futures.map((future) => future.unsafeState())).toEqual(["finished", "finished", "finished"])
        expect(tracker.starts).toEqual([0, 1, 2])
      }).pipe(Effect.scoped))

    it.live("with wait: false returns at once; the accepted work still runs", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const futures = yield* Effect.forEach([0, 1], (i) => executor.submit(Effect.sleep(30).pipe(Effect.as(i))))
        yield* Executor.shutdown(executor, { wait: false })
        expect(futures[1]?.unsafeDone()).toBe(false)
        expect(yield* Effect.forEach(futures, (future) => future.result())).toEqual([0, 1])
      }).pipe(Effect.scoped))

    it.live("with cancelFutures cancels the queued futures; the running one finishes", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        let ran = 0
        const work = Effect.sleep(40).pipe(Effect.zipRight(Effect.sync(() => ++ran)))
        const futures = yield* Effect.forEach([0, 1, 2], () => executor.submit(work))
        expect(yield* eventually(() => futures[0]!.unsafeState() === "running")).toBe(true)
        yield* executor.pipe(Executor.shutdown({ cancelFutures: true }))
        expect(futures.map((future) => future.unsafeState())).toEqual(["finished", "cancelled", "cancelled"])
        expect(ran).toBe(1)
        const error = yield* Effect.flip(futures[2]!.result())
        expect(error).toMatchObject({ _tag: "CancelledError", reason: "shutdown", wasRunning: false })
      }).pipe(Effect.scoped))

    it.scoped("with interruptRunning interrupts the running futures (finalizers run) and cancels the queued", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const started = yield* Deferred.make<void>()
        let finalized = false
        const running = yield* executor.submit(
          Deferred.succeed(started, undefined).pipe(
            Effect.zipRight(Effect.never),
            Effect.ensuring(Effect.sync(() => {
              finalized = true
            }))
          )
        )
        const queued = yield* executor.submit(Effect.void)
        yield* Deferred.await(started)
        yield* executor.shutdown({ interruptRunning: true })
        expect(finalized).toBe(true)
        expect(running.unsafeState()).toBe("cancelled")
        expect(queued.unsafeState()).toBe("cancelled")
        expect(yield* executor.stats).toMatchObject({ running: 0, queued: 0, cancelled: 2 })
      }))

    it.scoped("is idempotent", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.succeed(1))
        yield* executor.shutdown()
        yield* executor.shutdown({ cancelFutures: true })
        yield* executor.shutdown({ wait: false })
        expect(yield* future.result()).toBe(1)
        expect(yield* executor.stats).toMatchObject({ completed: 1, cancelled: 0, isShutdown: true })
      }))
  })

  describe("scope", () => {
    it.effect("closing the scope cancels queued futures, interrupts running ones and waits for their finalizers", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const executor = yield* Executor.make({ maxWorkers: 1 }).pipe(Scope.extend(scope))
        const started = yield* Deferred.make<void>()
        let finalized = false
        let queuedRan = false
        const running = yield* executor.submit(
          Deferred.succeed(started, undefined).pipe(
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() =>
              Effect.sync(() => {
                finalized = true
              })
            )
          )
        )
        const queued = yield* executor.submit(Effect.sync(() => {
          queuedRan = true
        }))
        yield* Deferred.await(started)
        yield* Scope.close(scope, Exit.void)
        expect(finalized).toBe(true)
        expect(queuedRan).toBe(false)
        expect(yield* Effect.flip(running.result())).toMatchObject({ _tag: "CancelledError", wasRunning: true })
        expect(yield* Effect.flip(queued.result())).toMatchObject({ _tag: "CancelledError", wasRunning: false })
        expect((yield* Effect.flip(executor.submit(Effect.void)))._tag).toBe("ExecutorShutdown")
      }))
  })

  describe("map", () => {
    it.live("returns the results in input order with at most maxWorkers in flight", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 2 })
        const tracker = makeTracker()
        // later items finish first
        const results = yield* executor.map([0, 1, 2, 3, 4], (i) => tracker.task(i, 60 - i * 10))
        expect(results).toEqual([0, 1, 2, 3, 4])
        expect(tracker.max()).toBe(2)
        expect(tracker.starts).toEqual([0, 1, 2, 3, 4])
      }).pipe(Effect.scoped))

    it.live("fails with the first failure in input order and cancels the rest", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 3 })
        const ran: Array<number> = []
        const error = yield* executor.pipe(
          Executor.map([0, 1, 2, 3, 4, 5, 6, 7], (i) =>
            Effect.sync(() => ran.push(i)).pipe(
              Effect.zipRight(
                i === 0
                  ? Effect.sleep(100)
                  : i === 1
                  ? Effect.sleep(50).pipe(Effect.zipRight(Effect.fail(`item ${i} failed`)))
                  : i === 2
                  ? Effect.fail("item 2 failed")
                  : Effect.sleep(5000)
              ),
              Effect.as(i)
            )),
          Effect.flip
        )
        // item 2 fails first in time, but item 1 comes first in input order
        expect(error).toBe("item 1 failed")
        yield* executor.shutdown()
        // items 6 and 7 were still queued: they never ran
        expect(ran).not.toContain(7)
        expect(yield* executor.stats).toMatchObject({ running: 0, queued: 0, completed: 1, failed: 2, cancelled: 5 })
      }).pipe(Effect.scoped))

    it.live("with a timeout fails with FutureTimeout and cancels the unfinished work", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 2 })
        const error = yield* Effect.flip(
          executor.map([10, 5000, 5000], (ms) => Effect.sleep(ms).pipe(Effect.as(ms)), { timeout: 150 })
        )
        expect(error).toMatchObject({ _tag: "FutureTimeout", operation: "map", unfinished: 2, cancelled: true })
        expect(error.message).toContain("2 futures were not done within")
        expect(yield* executor.stats).toMatchObject({ running: 0, queued: 0, completed: 1, cancelled: 2 })
      }).pipe(Effect.scoped))

    it.scoped("mapStream emits in input order and cancels the rest when the stream ends early", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 2 })
        const all = yield* Stream.runCollect(executor.mapStream(["a", "b", "c"], (s, i) => Effect.succeed(`${i}${s}`)))
        expect(Chunk.toReadonlyArray(all)).toEqual(["0a", "1b", "2c"])
        const gate = yield* Deferred.make<void>()
        const first = yield* Stream.runCollect(
          Executor.mapStream(executor, [0, 1, 2, 3], (i) => i === 0 ? Effect.succeed(i) : Deferred.await(gate)).pipe(
            Stream.take(1)
          )
        )
        expect(Chunk.toReadonlyArray(first)).toEqual([0])
        expect(yield* executor.stats).toMatchObject({ running: 0, queued: 0, completed: 4, cancelled: 3 })
      }))
  })

  describe("leaks", () => {
    it.scoped("10,000 futures mixing successes, failures, defects and cancellations leave nothing behind", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 8 })
        const n = 10_000
        const futures = yield* Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
          executor.submit(
            i % 4 === 0
              ? Effect.succeed(i)
              : i % 4 === 1
              ? Effect.fail(`failure ${i}`)
              : i % 4 === 2
              ? Effect.die(`defect ${i}`)
              : Effect.never
          ))
        // cancel the never-ending ones: most are queued, a few are running by now
        yield* Effect.forEach(futures, (future, i) => i % 4 === 3 ? future.cancel : Effect.void, { discard: true })
        const { done, notDone } = yield* Future.wait(futures)
        expect(done.size).toBe(n)
        expect(notDone.size).toBe(0)
        yield* executor.shutdown({ wait: true })
        expect(yield* executor.stats).toEqual({
          maxWorkers: 8,
          lent: 0,
          running: 0,
          queued: 0,
          waiting: 0,
          backingOff: 0,
          retained: 0,
          submitted: n,
          completed: n / 4,
          failed: n / 2,
          cancelled: n / 4,
          isShutdown: true
        })
        const defect = yield* Effect.exit(futures[2]!.result())
        expect(Exit.isFailure(defect) && Cause.pretty(defect.cause)).toContain("defect 2")
      }))
  })
})
