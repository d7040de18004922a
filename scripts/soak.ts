/**
 * The soak run: steady mixed traffic through one FuturesSession for a while, watching for leaks.
 *
 *   npm run soak -- --minutes 10        (or --seconds 60; --interval S between reports)
 *
 * Keeps `--concurrency` (default 24) scenarios going against httpbin: successes, 404s, delays,
 * faults (connection closed, reset mid-body, bad gzip), retries that give up and retries that
 * recover, cancellations of running futures, read timeouts, streamed bodies read to the end and
 * streamed bodies abandoned after their first chunk. httpbin runs in a child process (its request log
 * would otherwise grow this process's heap), so what is measured here is the client alone.
 *
 * Every interval it prints RSS, heap used (after a full GC when run with --expose-gc, as the npm
 * script does), open handles (`process.getActiveResourcesInfo().length`), event-loop delay p99, and
 * the settled and lost counts: a future is lost when it has not settled 30 s after it was submitted.
 * At the end, traffic stops, the futures still out get 15 s to settle (the rest are lost), and the last
 * line is `SOAK-RESULT <json>` with the heap after warm-up (the first report) and at the end (the last
 * report while traffic ran).
 */
import { FuturesSession, Response } from "@requests-futures/core"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { createInterface } from "node:readline"

const argument = (name: string): number | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  if (index === -1) return undefined
  const value = Number(process.argv[index + 1])
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`)
    process.exit(2)
  }
  return value
}

const durationMs = (argument("seconds") ?? 60 * (argument("minutes") ?? 1)) * 1000
const intervalMs = (argument("interval") ?? (durationMs >= 120_000 ? 60 : 10)) * 1000
const concurrency = argument("concurrency") ?? 24
const lostAfterMs = 30_000

const gc = (globalThis as { gc?: () => void }).gc
const heapUsed = (): number => {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`

/** httpbin in a child process; resolves with its base URL and a way to stop it. */
const startServer = () =>
  new Promise<{ readonly url: string; readonly stop: () => void }>((resolve, reject) => {
    const cli = fileURLToPath(new URL("../packages/httpbin/src/cli.ts", import.meta.url))
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", cli, "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.once("error", reject)
    createInterface({ input: child.stdout }).once("line", (url) => resolve({ url, stop: () => child.kill("SIGTERM") }))
  })

type Outcome = string

interface Scenario {
  readonly name: string
  /** What a healthy client answers, as `outcome` names it. */
  readonly expected: ReadonlyArray<Outcome>
  readonly run: (session: FuturesSession.FuturesSession, url: string, track: Track) => Effect.Effect<Outcome>
}

/** Records a future from submit to settle, for the lost count. */
interface Track {
  readonly submitted: (future: { readonly addDoneCallback: (f: () => void) => Effect.Effect<void> }) => Effect.Effect<void>
}

const tagOf = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause) as { readonly _tag?: unknown }
  return typeof error._tag === "string" ? error._tag : "defect"
}

/** Submits, waits for the future, and names its outcome: the status, or the error's tag. */
const simple = (
  name: string,
  expected: ReadonlyArray<Outcome>,
  send: (session: FuturesSession.FuturesSession, url: string) => ReturnType<FuturesSession.FuturesSession["get"]>
): Scenario => ({
  name,
  expected,
  run: (session, url, track) =>
    Effect.gen(function*() {
      const future = yield* send(session, url)
      yield* track.submitted(future)
      const exit = yield* future.await
      return Exit.isSuccess(exit) ? String(exit.value.statusCode) : tagOf(exit.cause)
    }).pipe(Effect.catchAll((error) => Effect.succeed(error._tag)))
})

const scenarios: ReadonlyArray<Scenario> = [
  simple("ok", ["200"], (s, url) => s.get(`${url}/get?soak=1`)),
  simple("not found", ["404"], (s, url) => s.get(`${url}/status/404`)),
  simple("delay", ["200"], (s, url) => s.get(`${url}/delay/0.2`)),
  simple("post", ["200"], (s, url) => s.post(`${url}/post`, { json: { soak: true, items: [1, 2, 3] } })),
  simple("closed", ["ConnectionError"], (s, url) => s.get(`${url}/fault/close-before-response`)),
  simple("reset", ["ChunkedEncodingError"], (s, url) => s.get(`${url}/fault/reset-mid-body`)),
  simple("bad gzip", ["ContentDecodingError"], (s, url) => s.get(`${url}/fault/bad-gzip`)),
  simple("retry gives up", ["RetryError"], (s, url) => s.get(`${url}/status/503`, { retry: { limit: 2, backoff: 20 } })),
  simple(
    "retry recovers",
    ["200", "RetryError"],
    (s, url) => s.get(`${url}/status/503:0.5,200:0.5`, { retry: { limit: 4, backoff: 20 } })
  ),
  simple("timeout", ["ReadTimeout"], (s, url) => s.get(`${url}/fault/stall-headers/2000`, { timeout: { read: 150 } })),
  {
    name: "cancel",
    expected: ["CancelledError"],
    run: (session, url, track) =>
      Effect.gen(function*() {
        const future = yield* session.get(`${url}/delay/2`)
        yield* track.submitted(future)
        yield* Effect.sleep(`${Math.floor(Math.random() * 100)} millis`)
        yield* future.cancel
        const exit = yield* future.await
        return Exit.isSuccess(exit) ? String(exit.value.statusCode) : tagOf(exit.cause)
      }).pipe(Effect.catchAll((error) => Effect.succeed(error._tag)))
  },
  {
    name: "stream read",
    expected: ["read 50000"],
    run: (session, url, track) =>
      Effect.gen(function*() {
        const future = yield* session.get(`${url}/stream-bytes/50000?chunk_size=2000`, { stream: true })
        yield* track.submitted(future)
        const response = yield* future
        const read = yield* Response.readBody(response)
        return `read ${read.content.length}`
      }).pipe(Effect.catchAll((error) => Effect.succeed(error._tag)))
  },
  {
    name: "stream abandoned",
    expected: ["abandoned"],
    run: (session, url, track) =>
      Effect.gen(function*() {
        const future = yield* session.get(`${url}/stream-bytes/50000?chunk_size=2000`, { stream: true })
        yield* track.submitted(future)
        const response = yield* future
        const first = yield* Stream.runCollect(Stream.take(Response.iterContent(response), 1))
        return Chunk.size(first) === 1 ? "abandoned" : "empty"
      }).pipe(Effect.catchAll((error) => Effect.succeed(error._tag)))
  }
]

const server = await startServer()
const pending = new Map<number, number>() // future number → submitted at
let submitted = 0
let settled = 0
const outcomes = new Map<string, number>()
const unexpected = new Map<string, number>()
const reports: Array<{ readonly atS: number; readonly heap: number; readonly traffic: boolean }> = []
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
const started = performance.now()

const track: Track = {
  submitted: (future) =>
    Effect.suspend(() => {
      const n = submitted++
      pending.set(n, performance.now())
      return future.addDoneCallback(() => {
        pending.delete(n)
        settled++
      })
    })
}

const lostNow = (olderThanMs: number): number => {
  const now = performance.now()
  let lost = 0
  for (const at of pending.values()) if (now - at > olderThanMs) lost++
  return lost
}

const report = (traffic: boolean) => {
  const atS = Math.round((performance.now() - started) / 1000)
  const heap = heapUsed()
  reports.push({ atS, heap, traffic })
  console.log(
    `[${String(atS).padStart(4)} s] rss ${mb(process.memoryUsage().rss)}  heap ${mb(heap)}  handles ${
      process.getActiveResourcesInfo().length
    }  loop p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms  settled ${settled}/${submitted}  lost ${
      lostNow(lostAfterMs)
    }`
  )
  delay.reset()
}

const worker = (session: FuturesSession.FuturesSession, index: number) =>
  Effect.gen(function*() {
    let turn = index
    while (performance.now() - started < durationMs) {
      const scenario = scenarios[turn++ % scenarios.length]!
      const outcome = yield* scenario.run(session, server.url, track)
      const key = `${scenario.name}: ${outcome}`
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
      if (!scenario.expected.includes(outcome)) unexpected.set(key, (unexpected.get(key) ?? 0) + 1)
    }
  })

console.log(
  `soak: ${durationMs / 1000} s, ${concurrency} scenarios at once, report every ${intervalMs / 1000} s, against ${server.url}${
    gc === undefined ? " (no --expose-gc: heap is measured without a forced GC)" : ""
  }`
)
// The last tick falls on the deadline itself (a moment after it): it still measures traffic.
const timer = setInterval(() => report(performance.now() - started < durationMs + intervalMs / 2), intervalMs)
await Effect.runPromise(
  Effect.gen(function*() {
    const session = yield* FuturesSession.make({ maxWorkers: 8, timeout: { connect: 5000, read: 5000 } })
    // Traffic stops at the deadline; a future that never settles would hold its worker forever,
    // so the workers get 15 s more, then whatever is still pending is lost.
    yield* Effect.forEach(Array.from({ length: concurrency }, (_, i) => i), (i) => worker(session, i), {
      concurrency: "unbounded",
      discard: true
    }).pipe(Effect.timeout(durationMs + 15_000), Effect.ignore)
  }).pipe(Effect.scoped)
)
clearInterval(timer)
report(false)
server.stop()

// Warm-up is the first interval; the end is the last report taken while traffic still ran.
const lost = pending.size
const during = reports.filter((r) => r.traffic)
const warm = during[0] ?? reports[0]!
const end = during[during.length - 1] ?? reports[reports.length - 1]!
const growth = (end.heap - warm.heap) / warm.heap
console.log("outcomes:")
for (const [key, count] of [...outcomes].sort()) console.log(`  ${key.padEnd(34)} ${count}`)
if (unexpected.size > 0) console.log("unexpected outcomes:", Object.fromEntries(unexpected))
console.log(
  `summary: ${submitted} futures, ${settled} settled, ${lost} lost; heap ${mb(warm.heap)} after warm-up (${warm.atS} s) → ${
    mb(end.heap)
  } at the end (${(growth * 100).toFixed(1)} %)`
)
console.log(
  `SOAK-RESULT ${
    JSON.stringify({
      submitted,
      settled,
      lost,
      heapWarm: warm.heap,
      heapEnd: end.heap,
      growth,
      unexpected: Object.fromEntries(unexpected)
    })
  }`
)
