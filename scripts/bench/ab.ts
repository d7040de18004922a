/**
 * In-process A/B of two builds of this repository (see ANALYSIS.md: the only comparison this shared
 * machine allows): both are loaded in one process and run interleaved rounds of the same batch against
 * one server process; the best round of each is kept.
 *
 *   npx tsx scripts/bench/ab.ts --base /path/to/other/checkout [--requests 2000] [--concurrency 16]
 *     [--rounds 7] [--path /bytes/192] [--per-host]
 *
 * Each build must be built (`npm ci` there runs `tsc -b`). Reports CPU µs per request and requests/s for
 * the Effect API (core FuturesSession) and the Promise API (facade FuturesSession) of each build, and,
 * with --per-host, the current build with `perHost` set (the per-host scheduler's own cost).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import type * as CoreApi from "@requests-futures/core"
import type * as EffectApi from "effect/Effect"
import type * as ExitApi from "effect/Exit"
import type * as ScopeApi from "effect/Scope"
import type * as FacadeApi from "requests-futures"

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
if (base === "") throw new Error("--base /path/to/a/built/checkout is required")
const requests = Number(arg("requests", "2000"))
const concurrency = Number(arg("concurrency", "16"))
const rounds = Number(arg("rounds", "7"))
const path = arg("path", "/bytes/192")
const perHost = process.argv.includes("--per-host")
const port = 20_000 + Math.floor(Math.random() * 20_000)
const url = `http://127.0.0.1:${port}${path}`

type CoreModule = typeof CoreApi
type FacadeModule = typeof FacadeApi
type EffectModule = typeof EffectApi
type ScopeModule = typeof ScopeApi
type ExitModule = typeof ExitApi

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
        for (const future of futures) {
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
      for (const future of futures) {
        const response = await future
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
      }
    },
    close: () => session.close()
  }
}

const startServer = async (): Promise<ChildProcess> => {
  const child = spawn(process.execPath, ["--import", "tsx", `${here}/scripts/bench/server-httpbin.ts`, "--port", String(port)], {
    cwd: here,
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve())
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)))
  })
  return child
}

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const main = async () => {
  const server = await startServer()
  try {
    const [a, b] = await Promise.all([load(base), load(here)])
    const variants: Array<Variant> = [
      await coreVariant("base core", a, {}),
      await coreVariant("new core", b, {}),
      facadeVariant("base promise", a, {}),
      facadeVariant("new promise", b, {})
    ]
    if (perHost) {
      variants.push(await coreVariant("new core perHost", b, { perHost: { maxWorkers: concurrency } }))
      variants.push(facadeVariant("new promise perHost", b, { perHost: { maxWorkers: concurrency } }))
    }
    // Warm-up: every variant until it reaches steady speed (≥ 1.5 s each, in batches of the timed size).
    for (const v of variants) {
      const until = performance.now() + 1500
      while (performance.now() < until) await v.batch(requests)
    }
    const cpu = new Map<string, Array<number>>()
    const rate = new Map<string, Array<number>>()
    for (let round = 0; round < rounds; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
      for (const v of order) {
        const c0 = process.cpuUsage()
        const t0 = performance.now()
        await v.batch(requests)
        const wall = performance.now() - t0
        const used = process.cpuUsage(c0)
        ;(cpu.get(v.name) ?? cpu.set(v.name, []).get(v.name)!).push((used.user + used.system) / requests)
        ;(rate.get(v.name) ?? rate.set(v.name, []).get(v.name)!).push(requests / (wall / 1000))
      }
    }
    console.log(`${requests} GETs of ${path}, ${concurrency} workers, ${rounds} interleaved rounds (best and median)`)
    console.log("| variant | CPU µs/req best | median | req/s best | median |")
    console.log("| --- | ---: | ---: | ---: | ---: |")
    for (const v of variants) {
      const c = cpu.get(v.name)!
      const r = rate.get(v.name)!
      console.log(
        `| ${v.name} | ${Math.min(...c).toFixed(1)} | ${median(c).toFixed(1)} | ${Math.max(...r).toFixed(0)} | ${
          median(r).toFixed(0)
        } |`
      )
    }
    for (const v of variants) await v.close()
  } finally {
    server.kill("SIGTERM")
  }
}

await main()
