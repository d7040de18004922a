import { describe, expect, it } from "@effect/vitest"
import { startHttpbin } from "@requests-futures/httpbin"
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "vitest"

/**
 * tough-cookie (~12 MiB of RSS with its public-suffix list) and effect's Schema AST (~10 MiB, a third of
 * the import time) load on first use, not with the package: a child process (a fresh module graph)
 * sends requests and logs every module the ESM loader resolves and every CommonJS module required.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url))
const outDir = `${packageDir}build/lazy-load`
const script = `${outDir}/requests.ts`
const hooks = `${outDir}/hooks.mjs`
const log = `${outDir}/loaded.log`

const hooksSource = `
import { appendFileSync } from "node:fs"
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  appendFileSync(${JSON.stringify(log)}, "esm " + resolved.url + "\\n")
  return resolved
}
`

const source = `
import { register, createRequire } from "node:module"
import { appendFileSync } from "node:fs"
register(${JSON.stringify(`file://${hooks}`)})
const { Response, Session } = await import("@requests-futures/core")
const Effect = await import("effect/Effect")
const mark = (what) => {
  const cjs = Object.keys(createRequire(import.meta.url).cache).map((path) => "cjs " + path + "\\n").join("")
  appendFileSync(${JSON.stringify(log)}, cjs + "--- " + what + "\\n")
}
const [base] = process.argv.slice(2)
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const session = yield* Session.make()
  const plain = yield* session.get(base + "/get")
  mark("plain GET")
  const withCookie = yield* session.get(base + "/cookies/set?flavour=oat")
  mark("Set-Cookie")
  const Schema = yield* Effect.promise(() => import("effect/Schema"))
  const decoded = yield* Response.schemaJson(withCookie, Schema.Struct({ cookies: Schema.Struct({ flavour: Schema.String }) }))
  console.log(plain.statusCode, decoded.cookies.flavour)
})))
`

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=source", script, ...args],
      { cwd: packageDir, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : 1, stdout, stderr })
    )
  })

let server: Awaited<ReturnType<typeof startHttpbin>>

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true })
  rmSync(log, { force: true })
  writeFileSync(script, source)
  writeFileSync(hooks, hooksSource)
  server = await startHttpbin()
})
afterAll(() => server.close())

describe("modules loaded on first use", () => {
  it("a request without cookies loads no tough-cookie; a Set-Cookie and a schema decode load what they need", async () => {
    const { code, stderr, stdout } = await run([server.url])
    expect(code, stderr).toBe(0)
    // The request went through, the cookie was stored and sent back, and the body decoded.
    expect(stdout.trim()).toBe("200 oat")
    const [beforeCookie = "", afterCookie = ""] = readFileSync(log, "utf8").split(/^--- .*$/m)
    expect(beforeCookie).toContain("/packages/core/src/Session.ts")
    expect(beforeCookie).not.toContain("tough-cookie")
    expect(beforeCookie).not.toMatch(/effect\/dist\/esm\/(Schema|SchemaAST|ParseResult)\.js/)
    expect(afterCookie).toContain("tough-cookie")
  })
})
