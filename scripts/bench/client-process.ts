/** Runs one client process (pinned to its core) and turns its JSON line, exit or timeout into an outcome. */
import { type ChildProcess, spawn } from "node:child_process"
import type { ClientArgs, ClientReport } from "./clients/harness.js"

/** What the client said, or why it said nothing usable (crash, timeout, no JSON line). */
export type ClientOutcome = ClientReport | { readonly kind: "failed"; readonly reason: string }

/** The client's own arguments (what it parses from argv), and how to run it. */
export interface ClientInvocation extends ClientArgs {
  readonly command: ReadonlyArray<string>
  readonly probe: boolean
  readonly cpu: string | undefined
  readonly timeoutMs: number
}

const live = new Set<ChildProcess>()

/** For SIGINT and exit handlers: no client may outlive the runner. */
export const killClients = (): void => {
  for (const child of live) child.kill("SIGKILL")
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

const parseOutcome = (line: string): ClientOutcome | undefined => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  switch (value.kind) {
    case "probe-ok":
      return { kind: "probe-ok" }
    case "skip":
      return { kind: "skip", reason: String(value.reason) }
    case "result": {
      const { requests, rps, cpuMsPerReq, peakRssKiB, errors, firstError } = value
      if (
        typeof requests !== "number" || typeof rps !== "number" || typeof cpuMsPerReq !== "number" ||
        typeof peakRssKiB !== "number" || typeof errors !== "number"
      ) return undefined
      return {
        kind: "result", requests, rps, cpuMsPerReq, peakRssKiB, errors,
        firstError: typeof firstError === "string" ? firstError : null
      }
    }
    default:
      return undefined
  }
}

export const runClientProcess = (invocation: ClientInvocation): Promise<ClientOutcome> =>
  new Promise((resolve) => {
    const { command, cpu } = invocation
    const argv = [
      ...command,
      invocation.url,
      String(invocation.requests),
      String(invocation.concurrency),
      String(invocation.expectedLength),
      "--warmup",
      String(invocation.warmup),
      "--warmup-ms",
      String(invocation.warmupMs),
      ...(invocation.probe ? ["--probe"] : [])
    ]
    const [program, ...args] = cpu === undefined ? argv : ["taskset", "-c", cpu, ...argv]
    const child = spawn(program ?? "", args, { stdio: ["ignore", "pipe", "pipe"] })
    live.add(child)

    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))

    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, invocation.timeoutMs)

    child.on("error", (error) => {
      clearTimeout(timer)
      live.delete(child)
      resolve({ kind: "failed", reason: `could not start: ${error.message}` })
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      live.delete(child)
      const outcome = stdout.trim().split("\n").reverse().map(parseOutcome).find((o) => o !== undefined)
      if (timedOut) resolve({ kind: "failed", reason: `timed out after ${invocation.timeoutMs / 1000} s` })
      else if (outcome !== undefined && code === 0) resolve(outcome)
      else {
        const lastLines = stderr.trim().split("\n").slice(-3).join(" | ")
        resolve({ kind: "failed", reason: `exit ${code ?? signal}: ${lastLines || "(no stderr)"}` })
      }
    })
  })
