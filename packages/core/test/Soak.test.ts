import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * A one-minute soak (scripts/soak.ts) in a child process started with --expose-gc, so its heap is
 * measured after a full GC: steady mixed traffic (successes, 404s, delays, faults, retries,
 * cancellations, timeouts, streamed bodies read and abandoned) must lose no future and grow the heap
 * less than 10 % after warm-up.
 */
const root = fileURLToPath(new URL("../../../", import.meta.url))

interface SoakResult {
  readonly submitted: number
  readonly settled: number
  readonly lost: number
  readonly heapWarm: number
  readonly heapEnd: number
  readonly growth: number
}

const soak = (seconds: number) =>
  new Promise<{ readonly result: SoakResult; readonly output: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "--conditions=source", "scripts/soak.ts", "--seconds", String(seconds)],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`soak failed: ${error.message}\n${stdout}\n${stderr}`))
        const line = stdout.split("\n").find((l) => l.startsWith("SOAK-RESULT "))
        if (line === undefined) return reject(new Error(`no SOAK-RESULT line:\n${stdout}\n${stderr}`))
        resolve({ result: JSON.parse(line.slice("SOAK-RESULT ".length)) as SoakResult, output: stdout })
      }
    )
  })

describe("soak", () => {
  it("60 s of mixed traffic loses no future and grows the heap less than 10 % after warm-up", async () => {
    const { output, result } = await soak(60)
    expect(result.lost, output).toBe(0)
    expect(result.settled, output).toBe(result.submitted)
    expect(result.submitted, output).toBeGreaterThan(1000)
    expect(result.growth, output).toBeLessThan(0.1)
  }, 150_000)
})
