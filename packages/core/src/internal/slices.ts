import * as Effect from "effect/Effect"
import * as v8 from "node:v8"

/**
 * A large result of background work, put back together from the slices a worker thread cut it into
 * (`worker/slices.mjs`, which describes the format). The slices are read a few milliseconds' worth at
 * a time, the event loop turning in between (a `setImmediate`, so its timers and sockets get their
 * turn: Effect's own yield is a microtask, which would not let them).
 *
 * The objects and arrays of a slice's nodes are made by literals: one function per shape of object,
 * `(read) => ({ "id": read(), "name": read() })`, made once a shape is seen twice, and one per short
 * array length. V8 sees that what a literal makes survives and allocates it in the old generation from
 * then on, so young collections no longer copy the half-made document (20 documents of 20 MB: this
 * thread's young collections took 4.8 s by deserializing, 1.5 s by literals; scripts/bench/
 * RESULTS-background.md).
 */

/** How long one turn of the event loop reads slices before it lets the loop go on. */
const TURN_MS = 4

/** Step kinds and node tags, as `worker/slices.mjs` writes them. */
const NODE = 0
const ARRAY = 1
const LEAF = 0
const SHAPED = 1

type Read = () => unknown
type Make = (read: Read) => unknown

/** Arrays of a few elements, each length its own literal. */
const lists: ReadonlyArray<Make> = [
  () => [],
  (r) => [r()],
  (r) => [r(), r()],
  (r) => [r(), r(), r()],
  (r) => [r(), r(), r(), r()],
  (r) => [r(), r(), r(), r(), r()],
  (r) => [r(), r(), r(), r(), r(), r()],
  (r) => [r(), r(), r(), r(), r(), r(), r()],
  (r) => [r(), r(), r(), r(), r(), r(), r(), r()]
]

/** An own property, even one named `__proto__` (JSON.parse makes one), never the prototype. */
const define = (object: Record<string, unknown>, key: string, value: unknown) => {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  } else object[key] = value
}

/** An object of a shape seen once, or too wide for a literal: one property at a time. */
const assign = (keys: ReadonlyArray<string>): Make => (read) => {
  const object: Record<string, unknown> = {}
  for (const key of keys) define(object, key, read())
  return object
}

/** The widest shape made by a literal. */
const MAX_LITERAL_KEYS = 64
/** Shapes remembered; past that the memory starts over (a document of ever new shapes). */
const MAX_SHAPES = 512

/** Shapes by their keys (as JSON): seen once (`null`), or the literal that makes them. */
const shapes = new Map<string, Make | null>()
/** False where code cannot be made from strings (`--disallow-code-generation-from-strings`). */
let literals = true

const literal = (keys: ReadonlyArray<string>): Make | undefined => {
  if (!literals || keys.length > MAX_LITERAL_KEYS) return undefined
  const signature = JSON.stringify(keys)
  const known = shapes.get(signature)
  if (known) return known
  if (known === undefined) {
    // seen once: a shape seen once may never come again, and is not worth compiling
    if (shapes.size >= MAX_SHAPES) shapes.clear()
    shapes.set(signature, null)
    return undefined
  }
  // seen twice: the keys are written as JSON strings, which are JavaScript strings: no key is ever code
  const properties = keys.map((key) => key === "__proto__" ? `["__proto__"]: r()` : `${JSON.stringify(key)}: r()`)
  try {
    const make = new Function("r", `return {${properties.join(", ")}}`) as Make
    shapes.set(signature, make)
    return make
  } catch {
    literals = false
    return undefined
  }
}

/** The slice being read: its ops, leaves and makers, and where the reading is in each. */
let ops: ReadonlyArray<number> = []
let leaves: ReadonlyArray<unknown> = []
let makers: ReadonlyArray<Make> = []
let op = 0
let leaf = 0

const read: Read = () => {
  const tag = ops[op++]
  if (tag === LEAF) return leaves[leaf++]
  if (tag === SHAPED) return makers[ops[op++]!]!(read)
  const length = ops[op++]!
  if (length < lists.length) return lists[length]!(read)
  const array: Array<unknown> = []
  for (let i = 0; i < length; i++) array.push(read())
  return array
}

const nextTurn = Effect.async<void>((resume) => {
  const immediate = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(immediate))
})

export const assemble = (slices: ReadonlyArray<ArrayBuffer>): Effect.Effect<unknown> =>
  Effect.suspend(() => {
    const containers: Array<Array<unknown> | Record<string, unknown>> = []
    let root: unknown
    const apply = (slice: ArrayBuffer) => {
      const deserializer = new v8.Deserializer(new Uint8Array(slice))
      deserializer.readHeader()
      const [sliceOps, sliceLeaves, sliceShapes] = deserializer.readValue() as [
        ReadonlyArray<number>,
        ReadonlyArray<unknown>,
        ReadonlyArray<ReadonlyArray<string>>
      ]
      ops = sliceOps
      leaves = sliceLeaves
      makers = sliceShapes.map((keys) => literal(keys) ?? assign(keys))
      op = 0
      leaf = 0
      try {
        while (op < ops.length) {
          const parent = ops[op++]!
          const container = parent === -1 ? undefined : containers[parent]!
          const key = container === undefined || Array.isArray(container) ? undefined : leaves[leaf++] as string
          const kind = ops[op++]
          let value: unknown
          if (kind === NODE) value = read()
          else containers.push(value = kind === ARRAY ? [] : {})
          if (container === undefined) root = value
          else if (key === undefined) (container as Array<unknown>).push(value)
          else define(container as Record<string, unknown>, key, value)
        }
      } finally {
        // what the slice held goes with it
        ops = []
        leaves = []
        makers = []
      }
    }
    let next = 0
    const turns: Effect.Effect<unknown> = Effect.suspend(() => {
      const until = performance.now() + TURN_MS
      do apply(slices[next++]!)
      while (next < slices.length && performance.now() < until)
      return next < slices.length ? Effect.zipRight(nextTurn, turns) : Effect.succeed(root)
    })
    return turns
  })
