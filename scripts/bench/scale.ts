/**
 * The scale check of the futures API: what one queued future costs.
 *
 * Submits N GETs (10k, then 100k) to `maxWorkers: 64` against the embedded httpbin, through the
 * Effect `FuturesSession` and through the Promise facade, and measures, while they are queued:
 * the time per submit, the heap per queued future (after a full GC), and the time per cancel of a
 * queued future. Run with `npm run bench:scale` (it needs `--expose-gc`).
 */
import { FuturesSession as CoreFuturesSession } from "@requests-futures/core"
import { startHttpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { FuturesSession } from "requests-futures"

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) {
  console.error("run with node --expose-gc (npm run bench:scale does)")
  process.exit(2)
}

const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

interface Row {
  readonly api: string
  readonly n: number
  readonly submitUs: number
  readonly heapBytes: number
  readonly cancelUs: number
}

const server = await startHttpbin()
// A slow endpoint keeps the 64 workers busy, so the rest stay queued while we measure.
const url = `${server.url}/delay/10`

/** Submits n futures with `submitAll`, measures, then cancels them all with `cancel`. */
const measure = async <F>(
  api: string,
  n: number,
  submitAll: (n: number) => ReadonlyArray<F>,
  cancel: (future: F) => void
): Promise<Row> => {
  const before = heap()
  const t0 = performance.now()
  const futures = submitAll(n)
  const submitMs = performance.now() - t0
  const queuedHeap = heap() - before
  // Cancel from the back: every cancel drops a queued future, none hands a slot on.
  const t1 = performance.now()
  for (let i = n - 1; i >= 0; i--) cancel(futures[i]!)
  const cancelMs = performance.now() - t1
  return { api, n, submitUs: (submitMs * 1000) / n, heapBytes: queuedHeap / n, cancelUs: (cancelMs * 1000) / n }
}

const rows: Array<Row> = []
// The first 2,000 of each API warm the JIT and are not reported.
for (const n of [2_000, 10_000, 100_000]) {
  const scope = Effect.runSync(Scope.make())
  const core = Effect.runSync(Scope.extend(CoreFuturesSession.make({ maxWorkers: 64 }), scope))
  rows.push(
    await measure(
      "Effect FuturesSession",
      n,
      // As an Effect program submits: in one fiber, one after the other.
      (count) =>
        Effect.runSync(Effect.gen(function*() {
          const futures = []
          for (let i = 0; i < count; i++) futures.push(yield* core.get(url))
          return futures
        })),
      (future) => void future.unsafeCancel()
    )
  )
  await Effect.runPromise(Scope.close(scope, Exit.void))

  const facade = new FuturesSession({ maxWorkers: 64 })
  rows.push(
    await measure(
      "Promise FuturesSession",
      n,
      (count) => Array.from({ length: count }, () => facade.get(url)),
      (future) => void future.cancel()
    )
  )
  await facade.close({ cancelFutures: true, interruptRunning: true })
}
await server.close()

const reported = rows.filter((row) => row.n !== 2_000)
console.log("| API | futures queued | µs per submit | heap per queued future | µs per cancel (queued) |")
console.log("| --- | ---: | ---: | ---: | ---: |")
for (const row of reported) {
  console.log(
    `| ${row.api} | ${row.n.toLocaleString("en-US")} | ${row.submitUs.toFixed(2)} | ${
      Math.round(row.heapBytes)
    } B | ${row.cancelUs.toFixed(2)} |`
  )
}
