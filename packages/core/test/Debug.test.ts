import { describe, expect, it } from "@effect/vitest"
import { startHttpbin } from "@requests-futures/httpbin"
import { execFile } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "vitest"
import * as Effect from "effect/Effect"
import { freePort } from "./helpers.js"

/**
 * `NODE_DEBUG=requests-futures`, as a user turns it on: a child process (`node --import tsx`) sends
 * requests against an httpbin started here, with both APIs of the core; its stderr has the lines.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const outDir = `${packageDir}build/debug`
const script = `${outDir}/requests.ts`

const source = `
import { FuturesSession, Session } from "@requests-futures/core"
import * as Effect from "effect/Effect"

const [base, refused] = process.argv.slice(2)
const withPassword = base.replace("http://", "http://ada:hunter2@")
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const session = yield* Session.make()
  yield* session.get(withPassword + "/get?q=1")
  yield* Effect.either(session.get(refused + "/nothing"))
  const futures = yield* FuturesSession.make({ maxWorkers: 1 })
  const first = yield* futures.post(base + "/delay/0.2")
  const second = yield* futures.get(base + "/status/404")
  yield* first
  yield* second
})))
console.log("done")
`

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (env: NodeJS.ProcessEnv, args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=source", script, ...args],
      { cwd: packageDir, env, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number | null) ?? 1, stdout, stderr })
    )
  })

const env = (debug: string | undefined): NodeJS.ProcessEnv => {
  const { NODE_DEBUG: _, ...rest } = process.env
  return debug === undefined ? rest : { ...rest, NODE_DEBUG: debug }
}

let server: Awaited<ReturnType<typeof startHttpbin>>
let args: ReadonlyArray<string>

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true })
  writeFileSync(script, source)
  server = await startHttpbin()
  args = [server.url, `http://127.0.0.1:${await Effect.runPromise(freePort)}`]
})
afterAll(() => server.close())

describe("NODE_DEBUG=requests-futures", () => {
  it("prints one line per request: method, redacted URL, status or error tag, times", async () => {
    const { code, stdout, stderr } = await run(env("requests-futures"), args)
    expect(code, stderr).toBe(0)
    expect(stdout).toContain("done")
    const lines = stderr.split("\n").filter((line) => line.startsWith("REQUESTS-FUTURES"))
    expect(lines, stderr).toHaveLength(4)
    const times = String.raw`queued=\d+\.\dms elapsed=\d+\.\dms total=\d+\.\dms`
    const port = server.port
    expect(lines[0]).toMatch(
      new RegExp(String.raw`^REQUESTS-FUTURES \d+: GET http://ada:\*\*\*@127\.0\.0\.1:${port}/get\?q=1 200 ${times}$`)
    )
    expect(lines[1]).toMatch(new RegExp(String.raw`: GET http://127\.0\.0\.1:\d+/nothing ConnectionError ${times}$`))
    expect(lines[2]).toMatch(new RegExp(String.raw`: POST ${server.url}/delay/0\.2 200 ${times}$`))
    expect(lines[3]).toMatch(new RegExp(String.raw`: GET ${server.url}/status/404 404 ${times}$`))
    // the second future waited in the queue behind the first (~200 ms)
    const queued = Number(/queued=(\d+\.\d)ms/.exec(lines[3]!)![1])
    expect(queued).toBeGreaterThan(150)
    expect(stderr).not.toContain("hunter2")
  }, 90_000)

  it("prints nothing without it", async () => {
    const off = await run(env(undefined), args)
    expect(off.code, off.stderr).toBe(0)
    expect(off.stdout).toContain("done")
    expect(off.stderr).not.toContain("REQUESTS-FUTURES")
  }, 90_000)
})
