import * as Effect from "effect/Effect"
import * as v8 from "node:v8"

/**
 * A large result of background work, put back together from the slices a worker thread cut it into
 * (`worker/slices.mjs`, which describes the format). The slices are deserialized a few milliseconds'
 * worth at a time, the event loop turning in between (a `setImmediate`, so its timers and sockets get
 * their turn: Effect's own yield is a microtask, which would not let them).
 */

/** How long one turn of the event loop deserializes before it lets the loop go on. */
const TURN_MS = 4

const VALUE = 0
const ARRAY = 1

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
      const steps = deserializer.readValue() as ReadonlyArray<unknown>
      for (let i = 0; i < steps.length; i += 4) {
        const parent = steps[i] as number
        const kind = steps[i + 2]
        let value = steps[i + 3]
        if (kind !== VALUE) containers.push(value = kind === ARRAY ? [] : {})
        if (parent === -1) {
          root = value
          continue
        }
        const container = containers[parent]!
        if (Array.isArray(container)) container.push(value)
        else if (steps[i + 1] === "__proto__") {
          // an own property named so (JSON.parse makes one), not the prototype
          Object.defineProperty(container, "__proto__", { value, writable: true, enumerable: true, configurable: true })
        } else container[steps[i + 1] as string] = value
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
