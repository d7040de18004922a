/**
 * Background work off the event loop, measured: 20 responses of 20 MB of JSON each are parsed while
 * `perf_hooks.monitorEventLoopDelay` watches the event loop of this process. The same requests run three
 * ways on one FuturesSession (the Promise facade; maxWorkers 4):
 *
 * - `callback`: `backgroundCallback: (s, r) => { r.data = r.json() }`, on this thread (what the seed does);
 * - `pool, parse json`: `background: { parse: "json" }`, parsed on the WorkerPool, the whole parsed
 *   document structured-cloned back onto `response.data`;
 * - `pool, summarize`: `background: { module, export }`, parsed and reduced in the worker, a small
 *   result sent back.
 *
 * httpbin runs in a child process (its own event loop), serving `/json/big?mb=20`.
 *
 *   npm run bench:background [-- --bodies 20 --mb 20 --workers N --runs callback,json,summarize]
 */
import { spawn } from "node:child_process"
import { availableParallelism, cpus } from "node:os"
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { FuturesSession } from "requests-futures"
import { WorkerPool } from "requests-futures/workers"

const { values } = parseArgs({
  options: { bodies: { type: "string" }, mb: { type: "string" }, workers: { type: "string" }, runs: { type: "string" } }
})
const selected = new Set((values.runs ?? "callback,json,summarize").split(","))
const bodies = Number(values.bodies ?? 20)
const mb = Number(values.mb ?? 20)
const workers = values.workers === undefined ? undefined : Number(values.workers)

const startServer = async () => {
  const child = spawn(process.execPath, [new URL("../../packages/httpbin/bin/httpbin.js", import.meta.url).pathname, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const lines = createInterface({ input: child.stdout })
  const url = await new Promise<string>((resolve) => lines.once("line", resolve))
  return { url: url.trim(), stop: () => child.kill("SIGTERM") }
}

interface Run {
  readonly name: string
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly wallMs: number
  /** This thread's young-generation collections (scavenges): how many, their total and longest pause. */
  readonly scavenges: number
  readonly scavengeMs: number
  readonly longestScavengeMs: number
}

type Options = Parameters<FuturesSession["get"]>[1]

/**
 * One run on a session of its own: connections kept alive from a run whose event loop was blocked for
 * seconds may have been closed by the server (5 s keep-alive) without this side having seen it.
 */
const measure = async (name: string, pool: WorkerPool, url: string, options: Options, check: (data: unknown) => void) => {
  // A connection idle past the server's 5 s keep-alive while its slot's work runs may be closed under
  // the next request: `retry` sends that GET again (it happens to every way of running, rarely).
  await using session = new FuturesSession({ maxWorkers: 4, workerPool: pool, retry: 2 })
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  const scavenges: Array<number> = []
  const collections = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(entry.duration)
    }
  })
  collections.observe({ entryTypes: ["gc"] })
  histogram.enable()
  const started = performance.now()
  // Each document is checked when it arrives and then let go, as a program that uses them would: holding
  // all 20 parsed documents (over 1 GB of heap) until the last one came measured the garbage collector
  // of that heap, not where the parsing ran (p99 336 -> 134 ms for `parse json` in one A/B here).
  await Promise.all(Array.from({ length: bodies }, () =>
    session.get(`${url}/json/big?mb=${mb}`, options).then((response) => {
      check(response.data)
    })))
  const wallMs = performance.now() - started
  histogram.disable()
  collections.disconnect()
  const ms = (ns: number) => Math.round(ns / 1e5) / 10
  const run: Run = {
    name,
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    wallMs: Math.round(wallMs),
    scavenges: scavenges.length,
    scavengeMs: Math.round(scavenges.reduce((total, pause) => total + pause, 0)),
    longestScavengeMs: Math.round(Math.max(0, ...scavenges) * 10) / 10
  }
  console.log(JSON.stringify(run))
  return run
}

const main = async () => {
  const server = await startServer()
  const pool = new WorkerPool({ workers })
  const summarize = { module: new URL("./background/summarize.mjs", import.meta.url), export: "summarize" }
  try {
    // warm up: the server makes the body once, the pool's threads start, both paths are compiled
    {
      await using session = new FuturesSession({ workerPool: pool })
      await session.get(`${server.url}/json/big?mb=${mb}`, { background: { parse: "json" } })
      await session.get(`${server.url}/json/big?mb=${mb}`, { background: summarize })
      await session.get(`${server.url}/json/big?mb=${mb}`, { backgroundCallback: (_s, r) => void (r.data = r.json()) })
    }
    const items = (data: unknown) => {
      if ((data as { items: ReadonlyArray<unknown> }).items.length < 1000) throw new Error("not parsed")
    }
    const runs: Array<Run> = []
    if (selected.has("callback")) {
      runs.push(
        await measure("callback (same thread)", pool, server.url, {
          backgroundCallback: (_s, r) => {
            r.data = r.json()
          }
        }, items)
      )
    }
    if (selected.has("json")) {
      runs.push(await measure("pool, parse json (whole document back)", pool, server.url, { background: { parse: "json" } }, items))
    }
    if (selected.has("summarize")) {
      runs.push(
        await measure("pool, module summarize (small result back)", pool, server.url, { background: summarize }, (data) => {
          if ((data as { count: number }).count < 1000) throw new Error("not parsed")
        })
      )
    }
    console.log(`\n${bodies} × ${mb} MiB JSON, maxWorkers 4, pool workers ${pool.workers}; nproc ${availableParallelism()} (${cpus()[0]?.model ?? "?"}), Node ${process.version}\n`)
    console.log("| run | event-loop delay p50 (ms) | p99 (ms) | max (ms) | wall (ms) | scavenges on this thread: count, total ms, longest ms |")
    console.log("| --- | --- | --- | --- | --- | --- |")
    for (const run of runs) {
      console.log(`| ${run.name} | ${run.p50} | ${run.p99} | ${run.max} | ${run.wallMs} | ${run.scavenges}, ${run.scavengeMs}, ${run.longestScavengeMs} |`)
    }
  } finally {
    await pool.close()
    server.stop()
  }
}

await main()
