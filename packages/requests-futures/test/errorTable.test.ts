import { Errors as CoreErrors, Executor as CoreExecutor, Future as CoreFuture } from "@requests-futures/core"
import * as Duration from "effect/Duration"
import { readFileSync, writeFileSync } from "node:fs"
import * as Facade from "requests-futures"
import { describe, expect, it } from "vitest"
import { coreOf } from "../src/internal/core.js"
import { fromRequestFailure } from "../src/internal/errors.js"
import { useHttpbin } from "./fixtures.js"

/**
 * The root README's table of core tags and facade classes is generated here, from the code: every
 * error class the core exports is made, turned into its facade error by the facade's own mapping,
 * and named on both sides. The README must hold exactly this table.
 */
const httpbin = useHttpbin()

type ErrorClass = abstract new(...args: never) => Error

const isErrorClass = (u: unknown): u is ErrorClass => typeof u === "function" && u.prototype instanceof Error

/** The facade classes that no core error maps to: the bases, which the core expresses as union types. */
const unions: Record<string, string> = {
  RequestException: "`Errors.RequestError`",
  Timeout: "`Errors.Timeout`"
}

const generate = async (): Promise<string> => {
  await using session = new Facade.Session()
  const response = (await session.get(`${httpbin.url}/get`))[coreOf]
  const info = { method: "GET", url: `${httpbin.url}/get` }
  // every field some core error needs; each class keeps what it declares
  const fields = {
    ...info,
    response,
    history: [response],
    last: new CoreErrors.HttpError({ ...info, response }),
    maxRedirects: 1,
    attempts: [{ status: 503, waitedMs: 1 }, { status: 503, waitedMs: 0 }],
    timeoutMs: 1,
    phase: "headers",
    reason: "cancel",
    scheme: "ftp",
    header: "X",
    encoding: "gzip",
    proxy: "http://proxy",
    location: "http://127.0.0.1/",
    hook: "response hook",
    operation: "submit",
    maxWorkers: 0,
    futureId: 1,
    wasRunning: false,
    timeout: Duration.millis(1),
    unfinished: 1,
    cancelled: false,
    maxQueued: 1,
    deadlineMs: 1,
    limit: 1,
    size: 2,
    status: 307,
    work: "JSON parsing"
  }
  const coreClasses = [
    ...Object.values(CoreErrors),
    CoreFuture.CancelledError,
    CoreFuture.FutureTimeout,
    CoreExecutor.ExecutorShutdown,
    CoreExecutor.InvalidMaxWorkers,
    CoreExecutor.QueueFull
  ].filter(isErrorClass) as unknown as ReadonlyArray<new(fields: object) => Error & { readonly _tag: string }>
  const rows = new Map<string, readonly [core: string, facade: ErrorClass]>()
  for (const Class of coreClasses) {
    const core = new Class(fields)
    const facade = fromRequestFailure({ error: core }) as Error
    expect(facade, `${core._tag} maps to a facade error class`).toBeInstanceOf(Error)
    expect(facade.constructor, `${core._tag} maps to an exported facade class`).toBe(
      (Facade as Record<string, unknown>)[facade.constructor.name]
    )
    rows.set(facade.constructor.name, [`\`${core._tag}\``, facade.constructor as ErrorClass])
  }
  for (const [name, value] of Object.entries(Facade)) {
    if (!isErrorClass(value) || rows.has(name)) continue
    expect(unions, `the facade's ${name} has a core counterpart`).toHaveProperty(name)
    rows.set(name, [unions[name]!, value])
  }
  const lines = [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, [core, Class]]) => {
      const parent = Object.getPrototypeOf(Class) as ErrorClass
      const note = name in unions ? "a base class; in the core, a union type" : core === `\`${name}\`` ? "" : "renamed"
      return `| ${core} | \`${name}\` | \`${parent.name}\` | ${note} |`
    })
  return [
    "| core (`_tag`, Effect) | facade class (`instanceof`) | facade parent class | note |",
    "| --- | --- | --- | --- |",
    ...lines
  ].join("\n")
}

describe("the README's error table", () => {
  it("maps every core error tag to its facade class, as the code does", async () => {
    const path = new URL("../../../README.md", import.meta.url)
    const readme = readFileSync(path, "utf8")
    const markers = /(<!-- error-table:start[^>]*-->\n)([\s\S]*?)(<!-- error-table:end -->)/
    const table = markers.exec(readme)?.[2]
    expect(table, "the README has the error table between its markers").toBeDefined()
    const generated = `${await generate()}\n`
    // `UPDATE_README=1 npx vitest run --project requests-futures test/errorTable.test.ts` rewrites it
    if (process.env["UPDATE_README"] === "1") writeFileSync(path, readme.replace(markers, `$1${generated}$3`))
    else expect(table).toBe(generated)
  })
})
