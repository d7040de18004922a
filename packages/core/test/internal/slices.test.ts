import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { isDeepStrictEqual } from "node:util"
import { assemble } from "../../src/internal/slices.js"

/**
 * A large result cut into slices by a worker thread (`worker/slices.mjs`) and put back together on this
 * one (`src/internal/slices.ts`) is the value a structured clone of it would be: whatever its shape,
 * its keys and its leaves, and whether or not this process may make code from strings (the objects of
 * a shape seen twice are made by a literal compiled for that shape).
 */
const workerSlices = new URL("../../worker/slices.mjs", import.meta.url)
const { slice, SLICE } = (await import(workerSlices.href)) as {
  readonly slice: (value: unknown, tree: boolean) => ReadonlyArray<ArrayBuffer> | undefined
  readonly SLICE: number
}

/** Many copies of a value beside a leaf of two slices: large enough to be cut, each copy its own. */
const large = (value: unknown, copies = 40) => ({
  pad: "x".repeat(2 * SLICE),
  copies: Array.from({ length: copies }, () => structuredClone(value))
})

const roundTrip = (value: unknown, tree: boolean) =>
  Effect.gen(function*() {
    const slices = slice(value, tree)
    expect(slices, "cut into slices").toBeDefined()
    expect(slices!.length).toBeGreaterThanOrEqual(2)
    return yield* assemble(slices!)
  })

/** Keys a literal must not take for code or for the prototype. */
const strangeKeys = ["__proto__", "\"", "\\", "\u2028", "a\u0000b", "}); throw 1; ({", "0", "10", "constructor", "\ud800", ""]

describe("large results in slices", () => {
  it.effect.prop(
    "any JSON value comes back the same (JSON.parse's results: trees of plain data)",
    [FastCheck.jsonValue({ stringUnit: "binary", maxDepth: 4 })],
    ([value]) =>
      Effect.gen(function*() {
        const document = large(value)
        expect(isDeepStrictEqual(yield* roundTrip(document, true), document)).toBe(true)
      }),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect.prop(
    "any value a structured clone takes comes back as its clone: Dates, bigints, -0, undefined, bytes, holes, null prototypes",
    [
      FastCheck.anything({
        maxDepth: 3,
        key: FastCheck.string({ unit: "binary" }),
        withBigInt: true,
        withDate: true,
        withNullPrototype: true,
        withSparseArray: true,
        withTypedArray: true
      })
    ],
    ([value]) =>
      Effect.gen(function*() {
        const document = large(value)
        expect(isDeepStrictEqual(yield* roundTrip(document, false), structuredClone(document))).toBe(true)
      }),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect("keys that are not names (quotes, backslashes, separators, `__proto__`) stay keys, on objects made by a literal", () =>
    Effect.gen(function*() {
      const object = Object.fromEntries(strangeKeys.map((key, i) => [key, i === 0 ? { own: true } : i]))
      const document = large(object, 3000)
      const back = (yield* roundTrip(document, true)) as typeof document
      expect(isDeepStrictEqual(back, document)).toBe(true)
      for (const copy of [back.copies[0], back.copies[2999]] as Array<Record<string, unknown>>) {
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
        expect(Object.keys(copy)).toEqual(Object.keys(object))
        expect(Object.hasOwn(copy, "__proto__")).toBe(true)
      }
    }))

  it.effect("objects too wide for a literal, and more shapes than are remembered, come back the same", () =>
    Effect.gen(function*() {
      const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key-${i}`, i]))
      const shapes = Array.from({ length: 3000 }, (_, i) => ({ [`only-${i}`]: i, shared: "x".repeat(20) }))
      const document = { wide: large(wide, 400), shapes: [...shapes, ...structuredClone(shapes)] }
      expect(isDeepStrictEqual(yield* roundTrip(document, true), document)).toBe(true)
    }))

  it("where code cannot be made from strings (--disallow-code-generation-from-strings), every object is made one property at a time, the same", async () => {
    const script = `
      import * as Effect from "effect/Effect"
      import { isDeepStrictEqual } from "node:util"
      import { assemble } from ${JSON.stringify(fileURLToPath(new URL("../../src/internal/slices.ts", import.meta.url)))}
      const { slice } = await import(${JSON.stringify(workerSlices.href)})
      let refused = false
      try { new Function("") } catch { refused = true }
      const value = { items: Array.from({ length: 5000 }, (_, i) => ({ id: i, name: "item-" + i, tags: ["a", "b"], "__proto__": i })) }
      const slices = slice(value, true)
      console.log(JSON.stringify({ refused, slices: slices.length, same: isDeepStrictEqual(await Effect.runPromise(assemble(slices)), value) }))
    `
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--disallow-code-generation-from-strings", "--import", "tsx", "--conditions=source", "--input-type=module", "--eval", script],
        { cwd: fileURLToPath(new URL("../..", import.meta.url)), timeout: 60_000 },
        (error, stdout, stderr) => error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`))
      )
    )
    expect(JSON.parse(output)).toMatchObject({ refused: true, same: true })
    expect(JSON.parse(output).slices).toBeGreaterThanOrEqual(2)
  }, 60_000)
})
