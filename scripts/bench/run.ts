/**
 * `npm run bench`: HTTP client throughput against a local server, each client in its own process.
 * See the "How to run" paragraph in report.ts (copied into RESULTS.md) for the options.
 */
import { availableParallelism, loadavg } from "node:os"
import { buildProcesses } from "./build-processes.js"
import { BASELINE, CLIENTS, type ClientSpec } from "./clients.js"
import { killClients, runClientProcess } from "./client-process.js"
import { httpGet } from "./http-get.js"
import { parseOptions, USAGE, type BenchOptions } from "./options.js"
import { machineFacts, writeResults } from "./report.js"
import { type BenchServer, LARGE_BODY_BYTES, startServer } from "./server.js"
import { type Measurement, renderTable, renderTargets } from "./table.js"

interface Size {
  readonly name: string
  readonly label: string
  readonly url: string
  readonly requests: number
  readonly bodyBytes: number
}

interface Runnable {
  readonly name: string
  readonly command: ReadonlyArray<string>
}

let server: BenchServer | undefined

// With two cores, server and clients each get one, so neither steals the other's CPU time.
const pinned = availableParallelism() >= 2
const serverCpu = pinned ? "0" : undefined
const clientCpu = pinned ? "1" : undefined

const selectClients = (options: BenchOptions): ReadonlyArray<ClientSpec> => {
  if (options.clients.length === 0) return CLIENTS
  return options.clients.map((name) => {
    const spec = CLIENTS.find((c) => c.name === name)
    if (spec === undefined) throw new Error(`unknown client "${name}"; known: ${CLIENTS.map((c) => c.name).join(", ")}`)
    return spec
  })
}

const measureSizes = async (options: BenchOptions, running: BenchServer): Promise<ReadonlyArray<Size>> => {
  const sizes: Array<Size> = []
  for (const [name, url, requests] of [
    ["small", running.urls.small, options.requests.small],
    ["large", running.urls.large, options.requests.large]
  ] as const) {
    // The body length every client must see is whatever the server sends now, checked once here.
    const { status, body } = await httpGet(url)
    if (status !== 200) throw new Error(`GET ${url} answered ${status}`)
    if (name === "large" && body.length !== LARGE_BODY_BYTES) throw new Error(`GET ${url}: ${body.length} bytes`)
    const label = name === "large" ? `${body.length / 1024} KiB` : `${body.length} B`
    sizes.push({ name, label, url, requests, bodyBytes: body.length })
  }
  return sizes
}

/** Probes each client once (imports load, interpreter found) so a missing library is one line, not a failed row. */
const probeClients = async (
  specs: ReadonlyArray<ClientSpec>,
  probeSize: Size,
  options: BenchOptions,
  skipped: Array<string>
): Promise<Array<Runnable>> => {
  const runnable: Array<Runnable> = []
  for (const spec of specs) {
    const resolved = spec.resolve()
    if ("skip" in resolved) {
      skipped.push(`${spec.name} (${resolved.skip})`)
      console.log(`skip ${spec.name}: ${resolved.skip}`)
      continue
    }
    const outcome = await runClientProcess({
      command: resolved.command,
      url: probeSize.url,
      requests: 1,
      concurrency: 1,
      expectedLength: probeSize.bodyBytes,
      warmup: 0,
      warmupMs: 0,
      probe: true,
      cpu: clientCpu,
      timeoutMs: options.timeoutMs
    })
    if (outcome.kind === "probe-ok") runnable.push({ name: spec.name, command: resolved.command })
    else {
      const reason = outcome.kind === "skip" || outcome.kind === "failed" ? outcome.reason : outcome.kind
      skipped.push(`${spec.name} (${reason})`)
      console.log(`skip ${spec.name}: ${reason}`)
    }
  }
  return runnable
}

const progress = (round: string, size: Size, c: number, m: Measurement): string => {
  const o = m.outcome
  const head = `${round} ${size.label.padEnd(7)} C=${String(c).padEnd(3)} ${m.client.padEnd(24)}`
  if (o.kind !== "result") return `${head} FAILED: ${o.kind === "failed" ? o.reason : o.kind}`
  const conns = m.accepted === undefined ? "" : `  ${m.accepted} conns`
  const errors = o.errors > 0 ? `  INVALID: ${o.errors} errors, first: ${o.firstError ?? "?"}` : ""
  return `${head} ${Math.round(o.rps).toString().padStart(6)} req/s  ${o.cpuMsPerReq.toFixed(3)} ms/req  ` +
    `${(o.peakRssKiB / 1024).toFixed(0)} MiB${conns}${errors}`
}

/** One round: every (size, C) cell, each client once, in an order rotated per round. */
const runRound = async (
  round: number,
  options: BenchOptions,
  sizes: ReadonlyArray<Size>,
  runnable: ReadonlyArray<Runnable>,
  running: BenchServer
): Promise<Array<Measurement>> => {
  // Rotating the order keeps one client from always following the same neighbour (GC, page cache, turbo).
  const shift = round % runnable.length
  const order = [...runnable.slice(shift), ...runnable.slice(0, shift)]
  const label = `[${round + 1}/${options.rounds}]`
  const measurements: Array<Measurement> = []
  for (const size of sizes) {
    for (const c of options.concurrency) {
      for (const client of order) {
        const startedAt = Date.now()
        const before = await running.accepted()
        const outcome = await runClientProcess({
          command: client.command,
          url: size.url,
          requests: size.requests,
          concurrency: c,
          expectedLength: size.bodyBytes,
          warmup: size.requests,
          warmupMs: options.warmupMs,
          probe: false,
          cpu: clientCpu,
          timeoutMs: options.timeoutMs
        })
        const after = await running.accepted()
        const measurement: Measurement = {
          size: size.name,
          concurrency: c,
          client: client.name,
          round,
          outcome,
          accepted: before === undefined || after === undefined ? undefined : after - before
        }
        measurements.push(measurement)
        console.log(`${progress(label, size, c, measurement)}  (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`)
      }
    }
  }
  return measurements
}

const main = async (): Promise<void> => {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE)
    return
  }
  const startedAt = Date.now()
  const loadAtStart = loadavg()[0] ?? 0
  const options = parseOptions(process.argv.slice(2), process.env)
  const specs = selectClients(options)
  buildProcesses()

  server = await startServer(options.server, serverCpu)
  console.log(`server: ${server.description}${pinned ? " on CPU 0, clients on CPU 1" : " (not pinned: one CPU)"}`)
  const sizes = await measureSizes(options, server)
  const skipped: Array<string> = []
  const probeSize = sizes[0]
  if (probeSize === undefined) throw new Error("no body sizes")
  const runnable = await probeClients(specs, probeSize, options, skipped)
  if (runnable.length === 0) throw new Error("no client can run")

  const measurements: Array<Measurement> = []
  const roundsStartedAt = Date.now()
  let roundsDone = 0
  while (roundsDone < options.rounds) {
    if (roundsDone > 0) {
      const perRound = (Date.now() - roundsStartedAt) / roundsDone
      if (Date.now() + perRound - startedAt > options.budgetSeconds * 1000) {
        console.log(
          `stopping after ${roundsDone} of ${options.rounds} rounds: another would end past the ` +
            `${options.budgetSeconds} s budget (a round takes ${(perRound / 1000).toFixed(0)} s here)`
        )
        break
      }
    }
    measurements.push(...(await runRound(roundsDone, options, sizes, runnable, server)))
    roundsDone++
  }

  const layout = { sizes, concurrency: options.concurrency, clients: specs.map((s) => s.name), baseline: BASELINE }
  const table = renderTable(measurements, layout)
  console.log(`\n${table}\n`)
  const targets = renderTargets(measurements, layout, ["ours-core", "ours-promise"])
  console.log(`Targets:\n${targets}\n`)

  const pythonClient = runnable.find((r) => r.name === "python-requests-futures")
  const facts = machineFacts(server.description, pythonClient?.command[0])
  const durationSeconds = (Date.now() - startedAt) / 1000
  const path = writeResults({
    date: new Date(),
    facts,
    pinned,
    commandLine: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    requests:
      sizes.map((s) => `${s.requests} GETs of ${s.label}`).join(" and ") +
      ` per client process after a warm-up of at least ${options.warmupMs} ms in batches of the timed size; C ∈ {${options.concurrency.join(", ")}}; ` +
      (roundsDone === options.rounds
        ? `${roundsDone} round${roundsDone === 1 ? "" : "s"}`
        : `${roundsDone} of ${options.rounds} rounds (the ${options.budgetSeconds} s time budget stopped the rest)`) +
      (options.quick ? " (--quick smoke run)" : ""),
    durationSeconds,
    targets,
    load: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    table,
    clients: specs,
    skipped
  })
  console.log(`wrote ${path} (run took ${durationSeconds.toFixed(0)} s)`)
}

const stopEverything = async (): Promise<void> => {
  killClients()
  const running = server
  server = undefined
  await running?.stop()
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping clients and server`)
    void stopEverything().finally(() => process.exit(code))
  })
}
// Whatever path leads out (including process.exit elsewhere), nothing we started may survive us.
process.on("exit", () => {
  killClients()
  server?.killNow()
})

main()
  .then(stopEverything, async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
    await stopEverything()
  })
