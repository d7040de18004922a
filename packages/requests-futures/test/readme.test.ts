import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { useHttpbin } from "./fixtures.js"

/**
 * Every ```ts block of the root README runs, against the embedded httpbin, as a user runs it: a
 * module importing the packages by name, in a child process that must end by itself with exit 0.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
const snippets = Array.from(readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm), (match) => match[1]!)
const outDir = `${packageDir}build/readme`
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url))

const httpbin = useHttpbin()

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const spawn = (file: string, args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: packageDir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number | null) ?? 1, stdout, stderr })
    )
  })

let run: Run

beforeAll(async () => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  snippets.forEach((code, i) => {
    writeFileSync(`${outDir}/readme-${i + 1}.ts`, code.replaceAll("http://httpbin.org", httpbin.url))
  })
  // One process for all of them, as startup is the slow part: imported at once, each reporting its own
  // success or failure. The process exits 0 only if every snippet succeeded and left nothing running.
  writeFileSync(
    `${outDir}/run.ts`,
    `await Promise.all(Array.from({ length: ${snippets.length} }, (_, i) =>
  import(\`./readme-\${i + 1}.ts\`).then(
    () => console.log(\`<<snippet \${i + 1} ok>>\`),
    (error: unknown) => {
      console.error(\`<<snippet \${i + 1} failed>>\`, error)
      process.exitCode = 1
    }
  )
))
`
  )
  run = await spawn(tsx, ["--conditions=source", `${outDir}/run.ts`])
}, 90_000)

describe("README", () => {
  it("has the seed and the Effect example among its ts snippets", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7)
    expect(snippets[0]).toContain('const futureOne = session.get("http://httpbin.org/get")')
    expect(snippets.some((s) => s.includes("FuturesSession.make") && s.includes("Effect.catchTags"))).toBe(true)
  })

  for (const [i, snippet] of snippets.entries()) {
    const title = snippet.split("\n").find((line) => line.trim() !== "" && !line.startsWith("import")) ?? ""
    it(`snippet ${i + 1} runs: ${title.trim().slice(0, 60)}`, () => {
      expect(run.stdout, run.stderr).toContain(`<<snippet ${i + 1} ok>>`)
    })
  }

  it("the snippets end by themselves: the process exits 0", () => {
    expect(run.code, run.stderr).toBe(0)
  })

  it("the seed prints the first response's status", () => {
    expect(run.stdout).toContain("response one status: 200")
  })
})
