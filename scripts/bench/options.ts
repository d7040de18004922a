/** Command-line and environment options of `npm run bench`; argv wins over env. */
import type { ServerChoice } from "./server.js"

export interface BenchOptions {
  readonly quick: boolean
  /** Client names to run, in table order; empty means all. */
  readonly clients: ReadonlyArray<string>
  readonly concurrency: ReadonlyArray<number>
  readonly rounds: number
  /** No round starts unless the average round so far still fits in this many seconds since the start. */
  readonly budgetSeconds: number
  readonly server: ServerChoice
  readonly requests: { readonly small: number; readonly large: number }
  /**
   * Warm-up: batches of the timed size (the same work as the timed batch) until `warmupMs` have
   * passed, at least one (see clients/harness.ts).
   */
  readonly warmupMs: number
  /** Per client process; a hung client is killed and its run marked invalid. */
  readonly timeoutMs: number
}

export const USAGE = `usage: npm run bench -- [--quick] [--clients undici,fetch] [--concurrency 2,16,64]
                          [--rounds 3] [--server auto|nginx|httpbin] [--budget 570] [--requests 2500,1000]
env: BENCH_QUICK=1 BENCH_CLIENTS=… BENCH_CONCURRENCY=… BENCH_ROUNDS=… BENCH_SERVER=… BENCH_BUDGET=…
     BENCH_REQUESTS=… (GETs per timed batch: small bodies, 64 KiB bodies)`

const list = (value: string): Array<string> =>
  value.split(",").map((s) => s.trim()).filter((s) => s.length > 0)

const positiveIntegers = (value: string, flag: string): Array<number> =>
  list(value).map((s) => {
    const n = Number(s)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: "${s}" is not a positive integer\n${USAGE}`)
    return n
  })

/** GETs per timed batch (and per warm-up batch): `--requests small,large`, else by `--quick`. */
const requestsOf = (value: string | undefined, quick: boolean): { readonly small: number; readonly large: number } => {
  if (value === undefined) return quick ? { small: 500, large: 200 } : { small: 2500, large: 1000 }
  const [small, large] = positiveIntegers(value, "--requests")
  if (small === undefined || large === undefined) throw new Error(`--requests: "${value}" is not two counts, small,large\n${USAGE}`)
  return { small, large }
}

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): BenchOptions => {
  const raw = new Map<string, string>()
  if (env.BENCH_QUICK !== undefined && env.BENCH_QUICK !== "" && env.BENCH_QUICK !== "0") raw.set("quick", "1")
  if (env.BENCH_CLIENTS !== undefined) raw.set("clients", env.BENCH_CLIENTS)
  if (env.BENCH_CONCURRENCY !== undefined) raw.set("concurrency", env.BENCH_CONCURRENCY)
  if (env.BENCH_ROUNDS !== undefined) raw.set("rounds", env.BENCH_ROUNDS)
  if (env.BENCH_SERVER !== undefined) raw.set("server", env.BENCH_SERVER)
  if (env.BENCH_BUDGET !== undefined) raw.set("budget", env.BENCH_BUDGET)
  if (env.BENCH_REQUESTS !== undefined) raw.set("requests", env.BENCH_REQUESTS)

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    if (arg === "--quick") {
      raw.set("quick", "1")
      continue
    }
    const match = /^--(clients|concurrency|rounds|server|budget|requests)(?:=(.*))?$/.exec(arg)
    const name = match?.[1]
    const value = match?.[2] ?? argv[++i]
    if (name === undefined || value === undefined) throw new Error(`unknown or incomplete option "${arg}"\n${USAGE}`)
    raw.set(name, value)
  }

  const quick = raw.has("quick")
  const server = raw.get("server") ?? "auto"
  if (server !== "auto" && server !== "nginx" && server !== "httpbin") {
    throw new Error(`--server: "${server}" is not auto, nginx or httpbin\n${USAGE}`)
  }
  const rounds = positiveIntegers(raw.get("rounds") ?? (quick ? "1" : "3"), "--rounds")
  return {
    quick,
    clients: list(raw.get("clients") ?? ""),
    concurrency: positiveIntegers(raw.get("concurrency") ?? "2,16,64", "--concurrency"),
    rounds: rounds[0] ?? 3,
    // Under 10 minutes with margin for the last round running long and for shutdown.
    budgetSeconds: positiveIntegers(raw.get("budget") ?? "570", "--budget")[0] ?? 570,
    server,
    requests: requestsOf(raw.get("requests"), quick),
    // Measured here: a Node client process needs 1–1.5 s of running before it reaches its steady
    // speed (undici's requests/s triples between 0.5 s and 1.5 s of warm-up), and warm-up batches
    // smaller than the timed one leave a queue-everything client cold for the larger queue (ours-core:
    // 101 us CPU per request in its first timed batch after 200-request warm-up batches, 72 after
    // warm-up batches of the timed size, 65 at steady state); the timed part should measure neither.
    warmupMs: quick ? 1000 : 1500,
    timeoutMs: 120_000
  }
}
