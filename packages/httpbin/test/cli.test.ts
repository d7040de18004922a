import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const cliSource = fileURLToPath(new URL("../src/cli.ts", import.meta.url))
const bin = fileURLToPath(new URL("../bin/httpbin.js", import.meta.url))
const built = () => existsSync(fileURLToPath(new URL("../dist/cli.js", import.meta.url)))

const tscBin = () => fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url))

/** Runs the CLI from source through tsx, so the test needs no build. */
const startCli = (args: ReadonlyArray<string>, entry: ReadonlyArray<string> = ["--import", "tsx", cliSource]) =>
  spawn(process.execPath, [...entry, ...args], { cwd: packageDir, stdio: "pipe" })

const firstLine = (child: ChildProcessWithoutNullStreams): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const newline = out.indexOf("\n")
      if (newline !== -1) resolve(out.slice(0, newline))
    })
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing the URL`)))
  })

const exitCode = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once("exit", (code) => resolve(code))
  })

const serveAndStop = async (child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals) => {
  try {
    const url = await firstLine(child)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${url}/get?cli=1`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { args: unknown }).args).toEqual({ cli: "1" })
    child.kill(signal)
    expect(await exitCode(child)).toBe(0)
    await expect(fetch(`${url}/get`)).rejects.toThrow()
  } finally {
    child.kill("SIGKILL")
  }
}

// Each case spawns a process (tsx start-up dominates), so they run side by side.
describe.concurrent("httpbin CLI", () => {
  it("prints its URL, serves, and exits cleanly on SIGTERM", async () => {
    await serveAndStop(startCli(["--port", "0"]), "SIGTERM")
  })

  it("refuses a bad port with exit code 2 and usage", async () => {
    const child = startCli(["--port", "nope"])
    let err = ""
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
    expect(await exitCode(child)).toBe(2)
    expect(err).toMatch(/invalid port[\s\S]*usage: httpbin/)
  })

  // The bin runs the build (npm test builds first); a bare `vitest run` builds it here. Also covers SIGINT.
  it("bin/httpbin.js runs the built CLI and exits cleanly on SIGINT", async () => {
    if (!built()) execFileSync(process.execPath, [tscBin(), "-b", packageDir], { stdio: "inherit" })
    await serveAndStop(startCli(["--port", "0", "--host", "127.0.0.1"], [bin]), "SIGINT")
  })
})
