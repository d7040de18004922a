/**
 * In-process A/B of two builds of this repository (see ANALYSIS.md: the only comparison this shared
 * machine allows): both are loaded in one process and run interleaved rounds of the same batch against
 * one server process; the best round of each is kept.
 *
 *   npx tsx scripts/bench/ab.ts [--base /path/to/other/checkout] [--requests 2000] [--concurrency 16]
 *     [--rounds 7] [--large] [--per-host] [--server auto|nginx|httpbin] [--only "undici,new core"]
 *
 * Each build must be built (`npm ci` there runs `tsc -b`). Reports CPU µs per request and requests/s for
 * undici's `Pool.request` (the reference, as in `npm run bench`), the Effect API (core FuturesSession)
 * and the Promise API (facade FuturesSession) of this build and, with --base, of the other one; with
 * --per-host, also this build with `perHost` set (the per-host scheduler's own cost); "new promise bounded"
 * is the facade with C futures outstanding, as the undici client runs (what queueing all costs). The server is the
 * bench's (nginx when installed, else httpbin), in its own process; `--large` asks for 64 KiB bodies.
 */
import type * as Core from "@requests-futures/core"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type * as Facade from "requests-futures"
import { PerformanceObserver } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { Pool } from "undici"
import { consumeInOrder, runLimited } from "./clients/harness.js"
import { type ServerChoice, startServer } from "./server.js"

interface Variant {
  readonly name: string
  /** Runs `count` GETs with all futures queued first, then awaited; resolves when all are checked. */
  readonly batch: (count: number) => Promise<void>
  readonly close: () => Promise<void>
}

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : process.argv[i + 1] ?? fallback
}

const here = fileURLToPath(new URL("../..", import.meta.url))
const base = arg("base", "")
const requests = Number(arg("requests", "2000"))
const concurrency = Number(arg("concurrency", "16"))
const rounds = Number(arg("rounds", "7"))
const large = process.argv.includes("--large")
const perHost = process.argv.includes("--per-host")
const serverChoice = arg("server", "auto") as ServerChoice
/** Only these variants (comma-separated names), e.g. to profile one with `node --cpu-prof`. */
const only = arg("only", "").split(",").filter((name) => name !== "")
let url = ""

type CoreModule = typeof Core
type FacadeModule = typeof Facade
type EffectModule = typeof Effect
type ScopeModule = typeof Scope
type ExitModule = typeof Exit

const load = async (root: string) => ({
  core: (await import(`${root}/packages/core/dist/index.js`)) as CoreModule,
  facade: (await import(`${root}/packages/requests-futures/dist/index.js`)) as FacadeModule,
  Effect: (await import(`${root}/node_modules/effect/dist/esm/Effect.js`)) as EffectModule,
  Scope: (await import(`${root}/node_modules/effect/dist/esm/Scope.js`)) as ScopeModule,
  Exit: (await import(`${root}/node_modules/effect/dist/esm/Exit.js`)) as ExitModule
})

type Build = Awaited<ReturnType<typeof load>>

const coreVariant = async (name: string, b: Build, options: object): Promise<Variant> => {
  const { Effect, Exit, Scope, core } = b
  const scope = Effect.runSync(Scope.make())
  const session = await Effect.runPromise(
    Scope.extend(core.FuturesSession.make({ maxWorkers: concurrency, ...options }), scope)
  )
  return {
    name,
    batch: (count) =>
      Effect.runPromise(Effect.gen(function*() {
        const futures = yield* Effect.forEach(Array.from({ length: count }), () => session.get(url))
        for (const future of consumeInOrder(futures)) {
          const response = yield* Effect.orDie(future.result())
          if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
        }
      })),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const facadeVariant = (name: string, b: Build, options: object): Variant => {
  const session = new b.facade.FuturesSession({ maxWorkers: concurrency, ...options })
  return {
    name,
    batch: async (count) => {
      const futures = Array.from({ length: count }, () => session.get(url))
      for (const future of consumeInOrder(futures)) {
        const response = await future
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
      }
    },
    close: () => session.close()
  }
}

/**
 * The same facade session as "new promise", but bounded by the caller as the undici client is: C futures
 * outstanding, the next submitted as one is checked. Shows what queueing every future first costs.
 */
const boundedVariant = (b: Build): Variant => {
  const session = new b.facade.FuturesSession({ maxWorkers: concurrency })
  return {
    name: "new promise bounded",
    batch: (count) =>
      runLimited(count, concurrency, async () => {
        const response = await session.get(url)
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
      }),
    close: () => session.close()
  }
}

/** undici 7 `Pool.request` with C connections, C in flight, each body read whole: the reference. */
const undiciVariant = (): Variant => {
  const target = new URL(url)
  const pool = new Pool(target.origin, { connections: concurrency })
  const path = target.pathname + target.search
  return {
    name: "undici",
    batch: (count) =>
      runLimited(count, concurrency, async () => {
        const { body, statusCode } = await pool.request({ method: "GET", path })
        await body.arrayBuffer()
        if (statusCode !== 200) throw new Error(`status ${statusCode}`)
      }),
    close: () => pool.close()
  }
}

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const main = async () => {
  const server = await startServer(serverChoice, undefined)
  try {
    url = large ? server.urls.large : server.urls.small
    const b = await load(here)
    const variants: Array<Variant> = [
      undiciVariant(),
      await coreVariant("new core", b, {}),
      facadeVariant("new promise", b, {}),
      boundedVariant(b)
    ]
    if (base !== "") {
      const a = await load(base)
      variants.push(await coreVariant("base core", a, {}), facadeVariant("base promise", a, {}))
    }
    if (perHost) {
      variants.push(await coreVariant("new core perHost", b, { perHost: { maxWorkers: concurrency } }))
      variants.push(facadeVariant("new promise perHost", b, { perHost: { maxWorkers: concurrency } }))
    }
    if (only.length > 0) variants.splice(0, variants.length, ...variants.filter((v) => only.includes(v.name)))
    // Warm-up: every variant until it reaches steady speed (≥ 1.5 s each, in batches of the timed size).
    const warmups: Array<string> = []
    for (const v of variants) {
      const until = performance.now() + 1500
      let batches = 0
      for (; performance.now() < until; batches++) await v.batch(requests)
      warmups.push(`${v.name} ${batches}`)
    }
    console.log(`warm-up batches: ${warmups.join(", ")}`)
    // Garbage collection, attributed to the variant whose batch was running.
    let gcMs = 0
    let gcMajor = 0
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        gcMs += entry.duration
        if ((entry as { readonly detail?: { readonly kind?: number } }).detail?.kind === 4) gcMajor++
      }
    })
    observer.observe({ entryTypes: ["gc"] })
    const gc = new Map<string, Array<number>>()
    const majors = new Map<string, number>()
    const cpu = new Map<string, Array<number>>()
    const rate = new Map<string, Array<number>>()
    for (let round = 0; round < rounds; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
      for (const v of order) {
        const c0 = process.cpuUsage()
        const t0 = performance.now()
        const [gc0, major0] = [gcMs, gcMajor]
        await v.batch(requests)
        const wall = performance.now() - t0
        const used = process.cpuUsage(c0)
        // GC entries are delivered asynchronously: let the observer see this batch's before reading.
        await new Promise((resolve) => setImmediate(resolve))
        ;(gc.get(v.name) ?? gc.set(v.name, []).get(v.name)!).push(((gcMs - gc0) * 1000) / requests)
        majors.set(v.name, (majors.get(v.name) ?? 0) + gcMajor - major0)
        ;(cpu.get(v.name) ?? cpu.set(v.name, []).get(v.name)!).push((used.user + used.system) / requests)
        ;(rate.get(v.name) ?? rate.set(v.name, []).get(v.name)!).push(requests / (wall / 1000))
      }
    }
    console.log(
      `${server.description}: ${requests} GETs of ${url}, ${concurrency} workers, ${rounds} interleaved rounds (best and median)`
    )
    console.log("| variant | CPU µs/req best | median | req/s best | median | GC µs/req median | full GCs |")
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (const v of variants) {
      const c = cpu.get(v.name)!
      const r = rate.get(v.name)!
      console.log(
        `| ${v.name} | ${Math.min(...c).toFixed(1)} | ${median(c).toFixed(1)} | ${Math.max(...r).toFixed(0)} | ${
          median(r).toFixed(0)
        } | ${median(gc.get(v.name)!).toFixed(1)} | ${majors.get(v.name) ?? 0} |`
      )
    }
    observer.disconnect()
    for (const v of variants) await v.close()
  } finally {
    await server.stop()
  }
}

await main()
