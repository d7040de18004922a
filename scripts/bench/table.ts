/** Turns the per-run measurements into the markdown table: one row per (body size, C, client). */
import type { ClientOutcome } from "./client-process.js"

export interface Measurement {
  readonly size: string
  readonly concurrency: number
  readonly client: string
  readonly round: number
  readonly outcome: ClientOutcome
  /** Connections the server accepted while this client process ran; undefined when the server cannot tell. */
  readonly accepted: number | undefined
}

export interface TableLayout {
  readonly sizes: ReadonlyArray<{ readonly name: string; readonly label: string }>
  readonly concurrency: ReadonlyArray<number>
  readonly clients: ReadonlyArray<string>
  readonly baseline: string
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}

const integer = (n: number): string => Math.round(n).toLocaleString("en-US")

const range = (values: ReadonlyArray<number>, format: (n: number) => string): string => {
  const lo = format(Math.min(...values))
  const hi = format(Math.max(...values))
  return lo === hi ? lo : `${lo}–${hi}`
}

/** A run is valid only if the process reported and every request got a 200 with the right body length. */
const validResults = (runs: ReadonlyArray<Measurement>) =>
  runs.flatMap((m) => (m.outcome.kind === "result" && m.outcome.errors === 0 ? [{ ...m.outcome, m }] : []))

const whyInvalid = (m: Measurement): string | undefined => {
  const o = m.outcome
  if (o.kind === "failed") return o.reason
  if (o.kind === "result" && o.errors > 0) return `${o.errors} failed requests, first: ${o.firstError ?? "?"}`
  return undefined
}

const medianRps = (runs: ReadonlyArray<Measurement>): number | undefined => {
  const valid = validResults(runs)
  return valid.length === 0 ? undefined : median(valid.map((r) => r.rps))
}

/**
 * The best round. On a shared machine other work only ever slows a run down, so the fastest of
 * the rounds is the closest to what the client itself costs (the argument of Python's `timeit`);
 * the table shows it next to the median rather than instead of it.
 */
const bestRps = (runs: ReadonlyArray<Measurement>): number | undefined => {
  const valid = validResults(runs)
  return valid.length === 0 ? undefined : Math.max(...valid.map((r) => r.rps))
}

export const renderTable = (measurements: ReadonlyArray<Measurement>, layout: TableLayout): string => {
  const lines = [
    "| body | C | client | requests/s median (min–max) | CPU ms/req | peak RSS MiB | conns accepted | vs " +
      layout.baseline +
      " (median) | vs " + layout.baseline + " (best round) |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  ]
  const notes: Array<string> = []
  for (const size of layout.sizes) {
    for (const c of layout.concurrency) {
      const cell = (client: string) =>
        measurements.filter((m) => m.size === size.name && m.concurrency === c && m.client === client)
      const baselineRps = medianRps(cell(layout.baseline))
      const baselineBest = bestRps(cell(layout.baseline))
      for (const client of layout.clients) {
        const runs = cell(client)
        if (runs.length === 0) continue
        const valid = validResults(runs)
        const invalid = runs.flatMap((m) => {
          const why = whyInvalid(m)
          return why === undefined ? [] : [why]
        })
        let marker = ""
        if (invalid.length > 0) {
          notes.push(`${size.label}, C=${c}, ${client}: ${invalid.length}/${runs.length} runs invalid — ${invalid[0]}`)
          marker = ` ⚠${notes.length}`
        }
        const prefix = `| ${size.label} | ${c} | ${client} |`
        if (valid.length === 0) {
          lines.push(`${prefix} **invalid**${marker} | – | – | – | – | – |`)
          continue
        }
        const rps = valid.map((r) => r.rps)
        const spread = valid.length > 1 ? ` (${integer(Math.min(...rps))}–${integer(Math.max(...rps))})` : ""
        const counted = valid.flatMap((r) => (r.m.accepted === undefined ? [] : [r.m.accepted]))
        const rpsMedian = median(rps)
        const ratio = baselineRps === undefined ? "–" : `${(rpsMedian / baselineRps).toFixed(2)}×`
        const bestRatio = baselineBest === undefined ? "–" : `${(Math.max(...rps) / baselineBest).toFixed(2)}×`
        lines.push(
          `${prefix} ${integer(rpsMedian)}${spread}${marker} | ${median(valid.map((r) => r.cpuMsPerReq)).toFixed(3)} | ` +
            `${(median(valid.map((r) => r.peakRssKiB)) / 1024).toFixed(1)} | ` +
            `${counted.length === 0 ? "n/a" : range(counted, String)} | ${ratio} | ${bestRatio} |`
        )
      }
    }
  }
  return [...lines, ...(notes.length > 0 ? ["", ...notes.map((n, i) => `- ⚠${i + 1} ${n}`)] : [])].join("\n")
}

/** The targets for our clients, checked against this run's medians. */
const targets: ReadonlyArray<{ readonly size: string; readonly concurrency: number; readonly ratio: number }> = [
  { size: "small", concurrency: 16, ratio: 0.5 },
  { size: "small", concurrency: 64, ratio: 0.5 },
  { size: "large", concurrency: 16, ratio: 0.8 },
  { size: "large", concurrency: 64, ratio: 0.8 }
]

/** A table of the targets (ratio to the baseline, connections = C) for `clients`, met or missed. */
export const renderTargets = (
  measurements: ReadonlyArray<Measurement>,
  layout: TableLayout,
  clients: ReadonlyArray<string>
): string => {
  const lines = [
    "| body | C | client | target | median ratio | best-round ratio | connections (= C?) | met |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |"
  ]
  for (const target of targets) {
    const size = layout.sizes.find((s) => s.name === target.size)
    if (size === undefined || !layout.concurrency.includes(target.concurrency)) continue
    const cell = (client: string) =>
      measurements.filter((m) => m.size === target.size && m.concurrency === target.concurrency && m.client === client)
    const baseline = medianRps(cell(layout.baseline))
    const baselineBest = bestRps(cell(layout.baseline))
    for (const client of clients) {
      const runs = cell(client)
      const rps = medianRps(runs)
      const best = bestRps(runs)
      if (rps === undefined || best === undefined || baseline === undefined || baselineBest === undefined) continue
      const ratio = rps / baseline
      const bestRatio = best / baselineBest
      const conns = validResults(runs).flatMap((r) => (r.m.accepted === undefined ? [] : [r.m.accepted]))
      const connsOk = conns.every((n) => n <= target.concurrency)
      const met = !connsOk
        ? "no (more connections than C)"
        : ratio >= target.ratio
        ? "yes"
        : bestRatio >= target.ratio
        ? `on the best round only (median: ${(ratio / target.ratio * 100).toFixed(0)}% of target)`
        : `no (${(ratio / target.ratio * 100).toFixed(0)}% of target)`
      lines.push(
        `| ${size.label} | ${target.concurrency} | ${client} | ≥ ${target.ratio.toFixed(2)}× | ${ratio.toFixed(2)}× | ` +
          `${bestRatio.toFixed(2)}× | ${conns.length === 0 ? "n/a" : range(conns, String)} | ${met} |`
      )
    }
  }
  return lines.join("\n")
}
