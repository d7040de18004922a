import { describe, expect, it } from "@effect/vitest"
import { Executor, Session, Task } from "@requests-futures/core"
import { Httpbin } from "@requests-futures/httpbin"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type { Response } from "@requests-futures/core"

type Outcome = Exit.Exit<Response.Response, unknown>

/** Runs a task with `Task.unsafeRun`, counting the fibers it needed. */
const run = (task: Task.Task<Response.Response, unknown>) => {
  let forks = 0
  let resolve!: (exit: Outcome) => void
  const done = new Promise<Outcome>((r) => (resolve = r))
  const cancel = Task.unsafeRun(task, resolve, {
    runFork: (effect) => {
      forks++
      return Effect.runFork(effect)
    }
  })
  return { done, cancel, forks: () => forks }
}

const statusOf = (exit: Outcome): number => (Exit.isSuccess(exit) ? exit.value.statusCode : -1)

describe("Task", () => {
  it.scoped("a plain GET completes without a fiber; a redirect continues on one", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()

      const plain = run(session.task({ method: "GET", url: `${server.url}/get?a=1` }))
      const exit = yield* Effect.promise(() => plain.done)
      expect(statusOf(exit)).toBe(200)
      expect(Exit.isSuccess(exit) && JSON.parse(exit.value.text).args).toEqual({ a: "1" })
      expect(plain.forks()).toBe(0)

      // gzip under 64 KiB is decoded on the spot: still no fiber
      const gzip = run(session.task({ method: "GET", url: `${server.url}/gzip` }))
      const gzipped = yield* Effect.promise(() => gzip.done)
      expect(Exit.isSuccess(gzipped) && JSON.parse(gzipped.value.text).gzipped).toBe(true)
      expect(gzip.forks()).toBe(0)

      const redirected = run(session.task({ method: "GET", url: `${server.url}/redirect/2` }))
      const final = yield* Effect.promise(() => redirected.done)
      expect(statusOf(final)).toBe(200)
      expect(Exit.isSuccess(final) && final.value.history.map((r) => r.statusCode)).toEqual([302, 302])
      expect(redirected.forks()).toBe(1)
    }))

  it.scoped("a bad request fails with its typed error at once, without a fiber or a connection", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()
      const bad = run(session.task({ method: "GET", url: `${server.url}/get`, headers: { "X-Bad": "a\r\nb" } }))
      const exit = yield* Effect.promise(() => bad.done)
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toMatchObject({
        _tag: "Some",
        value: { _tag: "InvalidHeader", header: "X-Bad" }
      })
      expect(bad.forks()).toBe(0)
      expect(server.stats().accepted).toBe(0)
    }))

  it.scoped("cancelling aborts the request on the wire, and the outcome is an interruption", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()
      const slow = run(session.task({ method: "GET", url: `${server.url}/delay/5`, headers: { "X-Track-Id": "t1" } }))
      yield* Effect.promise(() => server.waitForRequest("t1", 2000))
      slow.cancel()
      expect(yield* Effect.promise(() => server.waitForClientClose("t1", 2000))).toBe(true)
      const exit = yield* Effect.promise(() => slow.done)
      expect(Exit.isInterrupted(exit)).toBe(true)
      slow.cancel() // a second cancel is a no-op
    }))

  it.scoped("cancelling while the handed-over effect runs interrupts its fiber", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()
      const target = encodeURIComponent("/delay/5")
      const task = run(session.task({
        method: "GET",
        url: `${server.url}/redirect-to?url=${target}`,
        headers: { "X-Track-Id": "t2" }
      }))
      // the first hop's 302 hands the second hop (/delay/5) over to a fiber
      yield* Effect.promise(async () => {
        const deadline = Date.now() + 2000
        while (task.forks() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      })
      expect(task.forks()).toBe(1)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      task.cancel()
      const exit = yield* Effect.promise(() => task.done)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))

  it.scoped("toEffect: interrupting the effect aborts the task; map and flatMap keep the fast path", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()
      const fiber = yield* Effect.fork(
        Task.toEffect(session.task({ method: "GET", url: `${server.url}/delay/5`, headers: { "X-Track-Id": "t3" } }))
      )
      yield* Effect.promise(() => server.waitForRequest("t3", 2000))
      yield* Fiber.interrupt(fiber)
      expect(yield* Effect.promise(() => server.waitForClientClose("t3", 2000))).toBe(true)

      const mapped = Task.map(session.task({ method: "GET", url: `${server.url}/status/418` }), (r) => r.statusCode)
      let forks = 0
      const status = yield* Effect.promise(() =>
        new Promise<Exit.Exit<number, unknown>>((resolve) =>
          Task.unsafeRun(mapped, resolve, { runFork: (e) => (forks++, Effect.runFork(e)) })
        )
      )
      expect(status).toEqual(Exit.succeed(418))
      expect(forks).toBe(0)

      // A step decided at once continues without a fiber; one that continues with an effect gets one.
      const decided = run(Task.flatMap(
        session.task({ method: "GET", url: `${server.url}/get` }),
        (r) => Exit.succeed(r.copy({ statusCode: 201 }))
      ))
      expect(statusOf(yield* Effect.promise(() => decided.done))).toBe(201)
      expect(decided.forks()).toBe(0)
      const continued = run(Task.flatMap(
        session.task({ method: "GET", url: `${server.url}/get` }),
        (r) => Task.continueWith(Effect.succeed(r.copy({ statusCode: 202 })))
      ))
      expect(statusOf(yield* Effect.promise(() => continued.done))).toBe(202)
      expect(continued.forks()).toBe(1)
      expect(yield* Task.toEffect(Task.fromEffect(Effect.succeed(7)))).toBe(7)
    }))

  it.scoped("a throw outside a fiber (in start, or in map's function on the socket callback) is a defect", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin.make()
      const session = yield* Session.make()
      const outcome = <A>(task: Task.Task<A, unknown>) =>
        Effect.promise(() => new Promise<Exit.Exit<A, unknown>>((resolve) => Task.unsafeRun(task, resolve)))
      const thrown = yield* outcome(Task.make<number, never>(() => {
        throw new Error("in start")
      }))
      expect(Exit.isFailure(thrown) && Cause.isDie(thrown.cause)).toBe(true)
      const mapped = yield* outcome(Task.map(session.task({ method: "GET", url: `${server.url}/get` }), () => {
        throw new Error("in map")
      }))
      expect(Exit.isFailure(mapped) && Cause.isDie(mapped.cause)).toBe(true)
      // the session goes on
      expect(statusOf(yield* outcome(session.task({ method: "GET", url: `${server.url}/get` })))).toBe(200)
    }))

  it.scoped("on an executor: a task that throws dies, one that resumes after a cancel is ignored", () =>
    Effect.gen(function*() {
      const executor = yield* Executor.make({ maxWorkers: 1 })
      const throwing = yield* executor.submit(Task.make<number, never>(() => {
        throw new Error("boom")
      }))
      const exit = yield* throwing.await
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)

      let late: Task.Resume<number, never> | undefined
      let aborted = 0
      const hanging = yield* executor.submit(Task.make<number, never>((resume) => {
        late = resume
        return () => aborted++
      }))
      const next = yield* executor.submit(Effect.succeed(2))
      yield* Effect.yieldNow()
      expect(yield* hanging.running).toBe(true)
      expect(yield* hanging.cancel).toBe(true)
      expect(aborted).toBe(1)
      late?.(Exit.succeed(1))
      expect(yield* next.result()).toBe(2)
      const stats = yield* executor.stats
      expect(stats).toMatchObject({ running: 0, queued: 0, completed: 1, failed: 1, cancelled: 1 })
    }))
})
