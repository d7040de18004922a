import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Hash from "effect/Hash"
import * as HashSet from "effect/HashSet"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Executor from "../src/Executor.js"
import * as Future from "../src/Future.js"

/** A piece of work that reports when it starts and ends only when released. */
const gated = <A>(value: A) =>
  Effect.gen(function*() {
    const started = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    const work = Deferred.succeed(started, undefined).pipe(
      Effect.zipRight(Deferred.await(release)),
      Effect.as(value)
    )
    return {
      work,
      started: Deferred.await(started),
      release: Deferred.succeed(release, undefined)
    }
  })

describe("Future", () => {
  describe("result and exception", () => {
    it.scoped("a successful future: result is the value, exception is None", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.succeed(42))
        expect(yield* future.result()).toBe(42)
        expect(yield* future.exception()).toEqual(Option.none())
        expect(yield* future.await).toEqual(Exit.succeed(42))
        expect(future.unsafePoll()).toEqual(Option.some(Exit.succeed(42)))
        expect(yield* future.poll).toEqual(Option.some(Exit.succeed(42)))
        expect(Future.isFuture(future)).toBe(true)
        expect(Future.isFuture(Effect.succeed(1))).toBe(false)
      }))

    it.scoped("a failed future: result fails with the typed error, exception returns it", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.fail({ _tag: "Boom" as const, code: 7 }))
        expect(yield* Effect.flip(future.result())).toEqual({ _tag: "Boom", code: 7 })
        expect(yield* future.exception()).toEqual(Option.some({ _tag: "Boom", code: 7 }))
        expect(yield* future.pipe(Future.exception())).toEqual(Option.some({ _tag: "Boom", code: 7 }))
      }))

    it.scoped("a defect propagates as the same defect through result and exception", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.die(new Error("kaboom")))
        for (const read of [future.result(), future.exception()]) {
          const exit = yield* Effect.exit(read)
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            expect(Cause.isDie(exit.cause)).toBe(true)
            expect(Cause.pretty(exit.cause)).toContain("kaboom")
          }
        }
        expect(future.unsafeState()).toBe("finished")
      }))

    it.live("with a timeout, fails with FutureTimeout and the work goes on", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.sleep(400).pipe(Effect.as("late")))
        const error = yield* Effect.flip(future.result({ timeout: 20 }))
        expect(error).toBeInstanceOf(Future.FutureTimeout)
        expect(error).toMatchObject({ operation: "result", futureId: future.id, cancelled: false })
        expect(error.message).toContain(`Future #${future.id} was not done within 20ms`)
        expect(future.unsafeRunning()).toBe(true)
        const exceptionTimeout = yield* Effect.flip(future.exception({ timeout: 5 }))
        expect(exceptionTimeout._tag).toBe("FutureTimeout")
        expect(yield* future.pipe(Future.result({ timeout: "1 second" }))).toBe("late")
      }).pipe(Effect.scoped))

    it.live("with cancelOnTimeout, a timeout also cancels the future and interrupts its work", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        let interrupted = false
        const future = yield* executor.submit(
          Effect.sleep(1000).pipe(Effect.onInterrupt(() =>
            Effect.sync(() => {
              interrupted = true
            })
          ))
        )
        const error = yield* Effect.flip(future.result({ timeout: 20, cancelOnTimeout: true }))
        expect(error).toMatchObject({ _tag: "FutureTimeout", cancelled: true })
        expect(future.unsafeCancelled()).toBe(true)
        yield* executor.shutdown()
        expect(interrupted).toBe(true)
        expect(yield* Effect.flip(future.result())).toMatchObject({ _tag: "CancelledError", reason: "timeout" })
      }).pipe(Effect.scoped))

    it.scoped("interrupting a fiber that awaits a future does not affect the work", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const { release, started, work } = yield* gated("still here")
        const future = yield* executor.submit(work)
        const waiter = yield* Effect.fork(future.result())
        yield* started
        yield* Fiber.interrupt(waiter)
        expect(future.unsafeRunning()).toBe(true)
        yield* release
        expect(yield* future.result()).toBe("still here")
      }))
  })

  describe("a future is an Effect", () => {
    it.scoped("yield* future gives the value, and Effect's combinators take a future", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.succeed(42))
        expect(Effect.isEffect(future)).toBe(true)
        expect(Future.isFuture(future)).toBe(true)
        const value: number = yield* future
        expect(value).toBe(42)
        expect(yield* Effect.map(future, (n) => n + 1)).toBe(43)
        expect(yield* future.pipe(Effect.timeout("1 second"), Effect.map(String))).toBe("42")
        expect(yield* Effect.andThen(Effect.void, future)).toBe(42)
      }))

    it.scoped("yield* waits for a future that is not done yet", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const { release, started, work } = yield* gated("later")
        const future = yield* executor.submit(work)
        const waiter = yield* Effect.fork(Effect.gen(function*() {
          return yield* future
        }))
        yield* started
        expect(waiter.unsafePoll()).toBe(null)
        yield* release
        expect(yield* Fiber.join(waiter)).toBe("later")
      }))

    it.scoped("a failing work's typed error comes out typed", () =>
      Effect.gen(function*() {
        class Boom extends Data.TaggedError("Boom")<{ readonly code: number }> {}
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.fail(new Boom({ code: 7 })))
        const error = yield* Effect.flip(future)
        expect(error).toBeInstanceOf(Boom)
        expect(error).toMatchObject({ _tag: "Boom", code: 7 })
        // the error channel is exactly Boom | CancelledError: once both are caught, nothing is left
        const recovered: Effect.Effect<string> = future.pipe(
          Effect.catchTag("Boom", (e) => Effect.succeed(`boom ${e.code}`)),
          Effect.catchTag("CancelledError", () => Effect.succeed("cancelled"))
        )
        expect(yield* recovered).toBe("boom 7")
      }))

    it.scoped("a cancelled future fails with CancelledError", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const { work } = yield* gated("never")
        yield* executor.submit(work)
        const queued = yield* executor.submit(Effect.succeed("never ran"))
        const waiter = yield* Effect.fork(Effect.flip(queued))
        yield* Effect.yieldNow()
        expect(yield* queued.cancel).toBe(true)
        const error = yield* Fiber.join(waiter)
        expect(error).toBeInstanceOf(Future.CancelledError)
        expect(error).toMatchObject({ futureId: queued.id, reason: "cancel", wasRunning: false })
        // and again once done
        expect(yield* Effect.flip(queued)).toBe(error)
      }))

    it.scoped("a defect dies with the same defect", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const kaboom = new Error("kaboom")
        const future = yield* executor.submit(Effect.die(kaboom))
        const exit = yield* Effect.exit(future)
        expect(exit).toEqual(Exit.die(kaboom))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      }))

    it.scoped("Effect.all over futures gives their values in order, whichever finishes first", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 3 })
        const slow = yield* gated("slow")
        const futures = [
          yield* executor.submit(slow.work),
          yield* executor.submit(Effect.succeed("fast")),
          yield* executor.submit(Effect.succeed("faster"))
        ]
        const all = yield* Effect.fork(Effect.all(futures, { concurrency: "unbounded" }))
        yield* slow.started
        yield* slow.release
        expect(yield* Fiber.join(all)).toEqual(["slow", "fast", "faster"])
        const [text, count] = yield* Effect.all([futures[1]!, yield* executor.submit(Effect.succeed(2))])
        expect([text.toUpperCase(), count + 1]).toEqual(["FAST", 3])
      }))

    it.scoped("interrupting the fiber that yields a future does not cancel the future", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const { release, started, work } = yield* gated("still here")
        const future = yield* executor.submit(work)
        const waiter = yield* Effect.fork(Effect.gen(function*() {
          return yield* future
        }))
        yield* started
        yield* Fiber.interrupt(waiter)
        expect(future.unsafeRunning()).toBe(true)
        expect(future.unsafeCancelled()).toBe(false)
        yield* release
        expect(yield* future).toBe("still here")
      }))

    it.scoped("waits interrupted again and again leave a bounded trace; the next waiter still gets the value", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const { release, started, work } = yield* gated("at last")
        const future = yield* executor.submit(work)
        yield* started
        // A polling loop: each wait times out (is interrupted) while the future runs on.
        for (let i = 0; i < 2000; i++) {
          const polled = yield* Effect.timeout(future, "0 millis").pipe(Effect.option)
          expect(Option.isNone(polled)).toBe(true)
        }
        // What the future keeps for its waiters does not grow with the interrupted waits.
        const held = (future as unknown as { observers?: ReadonlyArray<unknown> }).observers?.length ?? 0
        expect(held).toBeLessThanOrEqual(32)
        const waiters = yield* Effect.forkAll([future, future, Effect.map(future, (s) => s.length)])
        yield* release
        expect(yield* Fiber.join(waiters)).toEqual(["at last", "at last", 7])
      }))

    it.scoped("two futures are Equal only when they are the same future; printing is unchanged", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const a = yield* executor.submit(Effect.succeed(1))
        const b = yield* executor.submit(Effect.succeed(1))
        yield* Effect.all([a, b])
        expect(Equal.equals(a, a)).toBe(true)
        expect(Equal.equals(a, b)).toBe(false)
        expect(Hash.hash(a)).toBe(Hash.hash(a))
        expect(HashSet.size(HashSet.make(a, b, a))).toBe(2)
        expect(new Set([a, b, a]).size).toBe(2)
        expect(a.toJSON()).toEqual({ _id: "Future", id: a.id, state: "finished" })
        expect(a[NodeInspectSymbol]()).toEqual(a.toJSON())
        expect(String(a)).toBe(`{\n  "_id": "Future",\n  "id": ${a.id},\n  "state": "finished"\n}`)
      }))

    it.effect("a TestClock drives result's timeout: no real waiting", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.never)
        const waiter = yield* Effect.fork(Effect.flip(future.result({ timeout: "10 seconds" })))
        yield* TestClock.adjust("9 seconds")
        expect(waiter.unsafePoll()).toBe(null)
        yield* TestClock.adjust("1 second")
        const error = yield* Fiber.join(waiter)
        expect(error).toBeInstanceOf(Future.FutureTimeout)
        expect(error).toMatchObject({ operation: "result", futureId: future.id, cancelled: false })
        expect(Duration.toMillis((error as Future.FutureTimeout).timeout)).toBe(10_000)
        expect(future.unsafeRunning()).toBe(true)
      }).pipe(Effect.scoped))
  })

  describe("state", () => {
    it.scoped("pending while queued, running only while it holds a slot, then done", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const first = yield* gated(1)
        const second = yield* gated(2)
        const a = yield* executor.submit(first.work)
        const b = yield* executor.submit(second.work)
        yield* first.started
        expect([yield* a.running, yield* a.done, yield* a.cancelled]).toEqual([true, false, false])
        expect([yield* b.running, yield* b.done, yield* b.cancelled]).toEqual([false, false, false])
        expect(b.unsafeState()).toBe("pending")
        expect(b.unsafePoll()).toEqual(Option.none())
        expect(Option.isNone((yield* b.timings).startedAt)).toBe(true)
        yield* first.release
        yield* second.started
        expect([a.unsafeRunning(), a.unsafeDone(), a.unsafeState()]).toEqual([false, true, "finished"])
        expect([b.unsafeRunning(), b.unsafeDone(), b.unsafeState()]).toEqual([true, false, "running"])
        yield* second.release
        expect(yield* Future.await(b)).toEqual(Exit.succeed(2))
        expect(yield* Future.done(b)).toBe(true)
        expect(yield* Future.running(b)).toBe(false)
        expect(yield* Future.cancelled(b)).toBe(false)
        expect(String(b)).toContain("\"state\": \"finished\"")
      }))
  })

  describe("cancel", () => {
    it.scoped("a queued future that is cancelled never runs and leaves the slots alone", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const blocker = yield* gated("blocker")
        let ran = false
        const running = yield* executor.submit(blocker.work)
        const queued = yield* executor.submit(Effect.sync(() => {
          ran = true
        }))
        const after = yield* executor.submit(Effect.succeed("after"))
        yield* blocker.started
        expect(yield* queued.cancel).toBe(true)
        expect(yield* queued.cancelled).toBe(true)
        expect(yield* queued.done).toBe(true)
        expect(yield* executor.stats).toMatchObject({ running: 1, queued: 1, cancelled: 1 })
        const error = yield* Effect.flip(queued.result())
        expect(error).toBeInstanceOf(Future.CancelledError)
        expect(error).toMatchObject({ futureId: queued.id, reason: "cancel", wasRunning: false })
        expect(error.message).toContain("before it started")
        expect(yield* Effect.flip(queued.exception())).toMatchObject({ _tag: "CancelledError" })
        yield* blocker.release
        expect(yield* running.result()).toBe("blocker")
        expect(yield* after.result()).toBe("after")
        expect(ran).toBe(false)
        expect(queued.unsafeState()).toBe("cancelled")
        expect(queued.unsafeTimings().startedAt).toEqual(Option.none())
      }))

    it.live("a running future that is cancelled is interrupted, and its slot goes to the next one at once", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const events: Array<string> = []
        const slow = yield* gated("never")
        const running = yield* executor.submit(slow.work.pipe(
          Effect.onInterrupt(() =>
            Effect.sync(() => events.push("interrupted")).pipe(
              // a slow finalizer
              Effect.zipRight(Effect.sleep(200)),
              Effect.zipRight(Effect.sync(() => events.push("finalized")))
            )
          )
        ))
        const next = yield* executor.submit(Effect.sync(() => events.push("next started")))
        yield* slow.started
        expect(yield* Future.cancel(running)).toBe(true)
        // done at once, with CancelledError
        expect(running.unsafeState()).toBe("cancelled")
        expect(yield* Effect.flip(running.result())).toMatchObject({ _tag: "CancelledError", wasRunning: true })
        // the slot was freed at once: the next future runs while the finalizer still works
        yield* next.result()
        expect(events).toEqual(["interrupted", "next started"])
        // shutdown waits for the finalizer
        yield* executor.shutdown()
        expect(events).toEqual(["interrupted", "next started", "finalized"])
        expect(yield* executor.stats).toMatchObject({ cancelled: 1, completed: 1, running: 0 })
      }).pipe(Effect.scoped))

    it.scoped("cancel returns false once finished, and true again for a cancelled future", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const finished = yield* executor.submit(Effect.succeed(1))
        yield* finished.result()
        expect(yield* finished.cancel).toBe(false)
        expect(finished.unsafeCancelled()).toBe(false)
        const { work } = yield* gated(2)
        const cancelled = yield* executor.submit(work)
        expect(cancelled.unsafeCancel()).toBe(true)
        expect(cancelled.unsafeCancel()).toBe(true)
        expect(yield* executor.stats).toMatchObject({ cancelled: 1 })
      }))

    it.scoped("a future whose work interrupts itself ends cancelled", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.interrupt)
        expect(yield* Effect.flip(future.result())).toMatchObject({ _tag: "CancelledError", reason: "interrupted" })
        expect(future.unsafeCancelled()).toBe(true)
      }))
  })

  describe("addDoneCallback", () => {
    it.scoped("calls each callback once, in order, when the future is done", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const { release, work } = yield* gated("v")
        const future = yield* executor.submit(work)
        const calls: Array<string> = []
        yield* future.addDoneCallback((f) => calls.push(`first:${f.id}`))
        yield* future.pipe(Future.addDoneCallback(() => calls.push("second")))
        expect(calls).toEqual([])
        yield* release
        yield* future.result()
        expect(calls).toEqual([`first:${future.id}`, "second"])
        yield* future.await
        expect(calls).toHaveLength(2)
      }))

    it.scoped("calls it at once when the future is already done", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const future = yield* executor.submit(Effect.succeed(1))
        yield* future.result()
        let called = 0
        future.unsafeAddDoneCallback(() => called++)
        expect(called).toBe(1)
      }))

    it.scoped("calls it on cancellation", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 1 })
        const { work } = yield* gated(1)
        yield* executor.submit(work)
        const queued = yield* executor.submit(Effect.void)
        let state = ""
        yield* queued.addDoneCallback((f) => {
          state = f.unsafeState()
        })
        yield* queued.cancel
        expect(state).toBe("cancelled")
      }))

    it.effect("a throwing callback is logged and harms neither the future nor the other callbacks", () =>
      Effect.gen(function*() {
        const logged: Array<string> = []
        const logger = Logger.make(({ cause, message }) => {
          logged.push(`${String(message)} | ${Cause.pretty(cause)}`)
        })
        const executor = yield* Executor.make().pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
        const { release, work } = yield* gated("fine")
        const future = yield* executor.submit(work)
        const calls: Array<number> = []
        yield* future.addDoneCallback(() => calls.push(1))
        yield* future.addDoneCallback(() => {
          throw new Error("callback bug")
        })
        yield* future.addDoneCallback(() => calls.push(3))
        yield* release
        expect(yield* future.result()).toBe("fine")
        expect(calls).toEqual([1, 3])
        // an already-done future: the callback runs at once, and throwing is still harmless
        yield* future.addDoneCallback(() => {
          throw new Error("late bug")
        })
        expect(logged).toHaveLength(2)
        expect(logged[0]).toContain(`done-callback of future #${future.id} threw`)
        expect(logged[0]).toContain("callback bug")
        expect(logged[1]).toContain("late bug")
        expect(future.unsafeState()).toBe("finished")
      }).pipe(Effect.scoped))
  })

  describe("asCompleted", () => {
    it.live("emits the already-done futures first, then the others as they complete", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 4 })
        const slow = yield* executor.submit(Effect.sleep(150).pipe(Effect.as("slow")))
        const fast = yield* executor.submit(Effect.sleep(20).pipe(Effect.as("fast")))
        const done = yield* executor.submit(Effect.succeed("done"))
        yield* done.result()
        const order = yield* Future.asCompleted([slow, fast, done, fast]).pipe(
          Stream.mapEffect((future) => future.result()),
          Stream.runCollect
        )
        expect(Chunk.toReadonlyArray(order)).toEqual(["done", "fast", "slow"])
      }).pipe(Effect.scoped))

    it.live("fails with FutureTimeout after emitting what completed in time", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 4 })
        const fast = yield* executor.submit(Effect.sleep(10).pipe(Effect.as("fast")))
        const slow = yield* executor.submit(Effect.never)
        const seen: Array<string> = []
        const error = yield* Future.asCompleted([fast, slow], { timeout: 150 }).pipe(
          Stream.runForEach((future) => Effect.map(future.result(), (s) => seen.push(s))),
          Effect.flip
        )
        expect(seen).toEqual(["fast"])
        expect(error).toMatchObject({ _tag: "FutureTimeout", operation: "asCompleted", unfinished: 1 })
        expect(error.message).toContain("1 future was not done within")
        // the work goes on
        expect(slow.unsafeRunning()).toBe(true)
      }).pipe(Effect.scoped))

    it.effect("an empty set of futures completes at once", () =>
      Effect.gen(function*() {
        const out = yield* Stream.runCollect(Future.asCompleted<number, never>([], { timeout: 10 }))
        expect(Chunk.size(out)).toBe(0)
      }))
  })

  describe("wait", () => {
    it.scoped("ALL_COMPLETED (the default) returns when all are done", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const futures = yield* Effect.forEach([1, 2, 3], (i) => executor.submit(Effect.succeed(i)))
        const { done, notDone } = yield* Future.wait(futures)
        expect(done.size).toBe(3)
        expect(notDone.size).toBe(0)
      }))

    it.scoped("FIRST_COMPLETED returns when any is done, cancelled ones included", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 2 })
        const a = yield* gated("a")
        const b = yield* gated("b")
        const fa = yield* executor.submit(a.work)
        const fb = yield* executor.submit(b.work)
        const waiting = yield* Effect.fork(Future.wait([fa, fb], { returnWhen: "FIRST_COMPLETED" }))
        yield* a.started
        yield* b.release
        const { done, notDone } = yield* Fiber.join(waiting)
        expect([...done]).toEqual([fb])
        expect([...notDone]).toEqual([fa])
        yield* fa.cancel
        const again = yield* Future.wait([fa], { returnWhen: "FIRST_COMPLETED" })
        expect(again.done.has(fa)).toBe(true)
      }))

    it.scoped("FIRST_EXCEPTION returns when one fails; a cancelled future is no exception", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make({ maxWorkers: 3 })
        const ok = yield* gated("ok")
        const bad = yield* gated("bad")
        const fOk = yield* executor.submit(ok.work)
        const fBad = yield* executor.submit(Effect.flatMap(bad.work, () => Effect.fail("bad")))
        const fCancelled = yield* executor.submit(Effect.never)
        yield* ok.started
        yield* bad.started
        const waiting = yield* Effect.fork(Future.wait([fOk, fBad, fCancelled], { returnWhen: "FIRST_EXCEPTION" }))
        yield* fCancelled.cancel
        // a cancellation does not end a FIRST_EXCEPTION wait
        yield* Effect.yieldNow()
        expect(waiting.unsafePoll()).toBe(null)
        yield* bad.release
        const { done, notDone } = yield* Fiber.join(waiting)
        expect(done).toEqual(new Set([fBad, fCancelled]))
        expect(notDone).toEqual(new Set([fOk]))
        yield* ok.release
      }))

    it.scoped("FIRST_EXCEPTION without any exception waits for all", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const futures = yield* Effect.forEach([1, 2], (i) => executor.submit(Effect.succeed(i)))
        const { done } = yield* Future.wait(futures, { returnWhen: "FIRST_EXCEPTION" })
        expect(done.size).toBe(2)
      }))

    it.live("returns what is done when the timeout expires, without failing", () =>
      Effect.gen(function*() {
        const executor = yield* Executor.make()
        const fast = yield* executor.submit(Effect.succeed(1))
        const slow = yield* executor.submit(Effect.never)
        const { done, notDone } = yield* Future.wait([fast, slow], { timeout: 60 })
        expect([...done]).toEqual([fast])
        expect([...notDone]).toEqual([slow])
      }).pipe(Effect.scoped))
  })
})
