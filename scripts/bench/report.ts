/** Machine facts and scripts/bench/RESULTS.md, so a number is never read without its context. */
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { join } from "node:path"

export interface MachineFacts {
  readonly nproc: number
  readonly cpuModel: string
  readonly node: string
  readonly server: string
  readonly libraries: string
}

const repoRoot = join(import.meta.dirname, "..", "..")

const installedVersion = (name: string): string => {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8"))
    return typeof parsed === "object" && parsed !== null && "version" in parsed ? String(parsed.version) : "?"
  } catch {
    return "not installed"
  }
}

export const machineFacts = (server: string, python: string | undefined): MachineFacts => {
  let cpuModel = "unknown"
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpuModel
  } catch {
    // not Linux: the model stays unknown
  }
  const libraries = ["undici", "axios", "got", "p-limit", "effect", "@effect/platform", "@effect/platform-node"]
    .map((name) => `${name} ${installedVersion(name)}`)
  if (python !== undefined) {
    const version = spawnSync(python, ["-c", "import sys, requests; print(sys.version.split()[0], requests.__version__)"], {
      encoding: "utf8"
    }).stdout.trim().split(" ")
    libraries.push(`Python ${version[0] ?? "?"} (${python}) with requests ${version[1] ?? "?"}`)
  }
  return {
    nproc: availableParallelism(),
    cpuModel,
    node: process.version,
    server,
    libraries: libraries.join(", ")
  }
}

export interface ResultsDocument {
  readonly date: Date
  readonly facts: MachineFacts
  readonly pinned: boolean
  readonly commandLine: string
  readonly requests: string
  readonly durationSeconds: number
  /** 1-minute load averages at start and end: other work on the machine skews every number. */
  readonly load: { readonly start: number; readonly end: number }
  readonly table: string
  /** The issue's targets for our clients, met or missed, in this run. */
  readonly targets: string
  readonly clients: ReadonlyArray<{ readonly name: string; readonly describe: string }>
  readonly skipped: ReadonlyArray<string>
}

export const writeResults = (doc: ResultsDocument): string => {
  const path = join(import.meta.dirname, "RESULTS.md")
  // The profile findings are written by hand and survive every run.
  const analysis = readFileSync(join(import.meta.dirname, "ANALYSIS.md"), "utf8").trim()
  const text = `# Benchmark results

Measured ${doc.date.toISOString().slice(0, 16).replace("T", " ")} UTC with \`${doc.commandLine}\`; the whole run took ${Math.round(doc.durationSeconds)} s.

- Machine: ${doc.facts.nproc} CPUs (\`nproc\`), ${doc.facts.cpuModel}
- Node ${doc.facts.node}; ${doc.facts.libraries}
- Server: ${doc.facts.server}, ${doc.pinned ? "pinned to CPU 0 with clients on CPU 1 (taskset)" : "not pinned (fewer than two CPUs)"}
- Workload: ${doc.requests}
- Load average (1 min) at start ${doc.load.start.toFixed(2)}, at end ${doc.load.end.toFixed(2)}${
    Math.max(doc.load.start, doc.load.end) > 0.5 * doc.facts.nproc
      ? " — the machine was busy with other work, so treat these numbers as rough"
      : ""
  }

${doc.table}
${doc.skipped.length > 0 ? `\nSkipped: ${doc.skipped.join("; ")}\n` : ""}
## Targets

${doc.targets}

${analysis}

## Clients

Each in its own process:
${doc.clients.map((c) => `- \`${c.name}\`: ${c.describe}`).join("\n")}

Columns: requests/s over the timed part only (after warm-up), median over rounds with min–max;
CPU ms/req is the client process's user+system CPU time over the timed part divided by N; peak RSS
is the client process's maxRSS (Node clients run as compiled JS, no tsx); conns accepted is the
server's count of connections accepted while that client process ran, warm-up included; the median
ratio divides the median requests/s by undici's at the same body size and C, the best-round ratio
the fastest round by undici's fastest (other work on a shared machine only ever slows a run, so the
fastest round is the closest to the client's own cost). Only valid runs (every
status 200, every body the expected length) count; ⚠ notes list the others.

## How to run

\`npm run bench\` builds the workspace and runs \`scripts/bench/run.ts\`: it starts nginx
(\`/usr/sbin/nginx\`, Debian's \`nginx\` package) on 127.0.0.1 with a private config, or the embedded
httpbin when nginx is missing, then runs every client as its own process, interleaved over the
rounds, and rewrites this file. Options: \`--quick\` (smoke run: fewer requests, one round),
\`--clients undici,fetch\`, \`--concurrency 16\`, \`--rounds 3\`, \`--server nginx|httpbin\`, \`--budget 570\`,
\`--requests 2500,1000\` (GETs per timed batch, small and 64 KiB)
(seconds; no round starts that would end later), or the env variables \`BENCH_QUICK\`, \`BENCH_CLIENTS\`,
\`BENCH_CONCURRENCY\`, \`BENCH_ROUNDS\`, \`BENCH_SERVER\`, \`BENCH_BUDGET\`, \`BENCH_REQUESTS\`. The Python client needs
\`python3-requests-futures\`. Numbers only compare clients within one run on one machine; close
other work first.
`
  writeFileSync(path, text)
  return path
}
