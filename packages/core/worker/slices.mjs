// @ts-check
/**
 * A large result, cut into slices the caller's thread can put back together one at a time. Sent whole,
 * a parsed 20 MB document is one structured clone that the caller's thread deserializes in one go: its
 * event loop stops for hundreds of milliseconds. Cut, each slice is a bounded piece (some 64 KB of
 * V8's serialization format) and the caller reads them with its event loop turning in between
 * (`src/internal/slices.ts`), into the same value.
 *
 * Each slice is `v8.Serializer` bytes (the format `postMessage` uses; a plain `Serializer`, so typed
 * arrays and `Buffer`s come out as a structured clone gives them) of `[ops, values, shapes]`: `ops` a
 * flat array of small integers, `values` the leaves in the order `ops` reads them, `shapes` the key
 * lists of the objects in the slice. `ops` is a list of steps, `parent, kind`:
 *
 * - `parent` is the container the step puts something in (containers are numbered in the order they
 *   are made, from 0; -1 is the root's place). An object's key is the next of `values`; an array's
 *   element goes at its end.
 * - `kind` 1 and 2 put a new, empty array or object there, to be filled by later steps; 0 puts a node
 *   there, which follows in `ops`: `0` a leaf (the next of `values`), `1, shape` an object whose
 *   values follow as nodes in the order of `shapes[shape]`, `2, length` an array whose elements follow.
 *
 * Only arrays and plain objects too large for one slice become containers; everything under them goes
 * whole into some slice, as nodes. Why nodes rather than the objects themselves: the caller's thread
 * makes a node's objects from object and array literals, one literal per shape, and V8 learns that
 * what those literals make lives long and allocates it in the old generation. Deserialized objects are
 * young: each young collection found a half-made document alive and copied it, for 20-60 ms at a time.
 *
 * What a structured clone keeps that separate slices would not (one object reached twice, a cycle,
 * holes or extra properties on an array, a Map, a class instance) makes the result go whole, as
 * before: `slice` returns `undefined` then, and for results below two slices.
 */
import v8 from "node:v8"

/** The size of a slice, in (estimated) bytes of serialization. */
export const SLICE = 64 * 1024

/** Step kinds: a node follows; a new array; a new object. */
const NODE = 0
const ARRAY = 1
const OBJECT = 2

/** Node tags: a leaf; an object of a shape; an array of a length. */
const LEAF = 0
const SHAPED = 1
const LIST = 2

class Whole extends Error {}

/** @typedef {{ id: number, next: Map<string, Shape> }} Shape */

/** @param {unknown} value */
const isPlainObject = (value) => {
  if (typeof value !== "object" || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** @param {unknown} value */
const isPlainArray = (value) => Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype

/**
 * Whether an array has an element at every index and nothing else: what a structured clone keeps of an
 * array besides its elements (holes, other properties), nodes and steps would not. JSON.parse makes
 * no other arrays.
 * @param {unknown[]} array
 */
const isDense = (array) => {
  for (let i = 0; i < array.length; i++) if (!(i in array)) return false
  return Object.keys(array).length === array.length
}

/**
 * @param {unknown} value
 * @param {boolean} tree the value is known to be a tree of plain data (JSON.parse made it): no object
 *   in it is reached twice, so none need be remembered
 * @returns {ArrayBuffer[] | undefined}
 */
export const slice = (value, tree) => {
  /** Objects met so far (unless a tree): one met twice goes whole. */
  const met = tree ? undefined : new Set()
  /** @param {object} object */
  const meet = (object) => {
    if (met === undefined) return
    if (met.has(object)) throw new Whole()
    met.add(object)
  }

  /**
   * Whether the value's serialization is over `budget` bytes (estimated). It stops as soon as it is:
   * a subtree that goes whole is walked once here, a large one only up to the budget.
   * @param {unknown} value
   * @param {number} budget
   * @param {object[] | undefined} seen the objects of a subtree walked whole, to meet once it goes
   * @returns {number} what is left of the budget (below 0: over)
   */
  const weigh = (value, budget, seen) => {
    switch (typeof value) {
      case "string":
        return budget - value.length - 2
      case "number":
        return budget - 5
      case "bigint":
        return budget - 10
      case "object":
        break
      default:
        return budget - 1
    }
    if (value === null) return budget - 1
    seen?.push(value)
    if (isPlainArray(value)) {
      const array = /** @type {unknown[]} */ (value)
      budget -= 4
      for (let i = 0; i < array.length && budget >= 0; i++) budget = weigh(array[i], budget, seen)
      return budget
    }
    if (isPlainObject(value)) {
      budget -= 2
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        budget = weigh(/** @type {Record<string, unknown>} */ (value)[key], budget - key.length - 2, seen)
        if (budget < 0) return budget
      }
      return budget
    }
    if (value instanceof Date) return budget - 9
    if (value instanceof RegExp) return budget - value.source.length - 4
    if (ArrayBuffer.isView(value)) {
      // a buffer shared by two views is one buffer in a structured clone, two in two slices
      seen?.push(value.buffer)
      return budget - value.byteLength - 10
    }
    if (value instanceof ArrayBuffer) return budget - value.byteLength - 10
    throw new Whole()
  }

  /** @type {ArrayBuffer[]} */
  const slices = []
  /** @type {number[]} */
  let ops = []
  /** @type {unknown[]} */
  let values = []
  /** @type {string[][]} */
  let shapes = []
  /**
   * The slice's shapes by their keys, one key a level: an object's shape is found without making a
   * list of its keys. @type {Shape}
   */
  let shapeTree = { id: -1, next: new Map() }
  let size = 0
  let containers = 0
  const flush = () => {
    const serializer = new v8.Serializer()
    serializer.writeHeader()
    serializer.writeValue([ops, values, shapes])
    const bytes = serializer.releaseBuffer()
    slices.push(
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? /** @type {ArrayBuffer} */ (bytes.buffer)
        : /** @type {ArrayBuffer} */ (new Uint8Array(bytes).buffer)
    )
    ops = []
    values = []
    shapes = []
    shapeTree = { id: -1, next: new Map() }
    size = 0
  }

  /**
   * The number of the object's shape in this slice.
   * @param {Record<string, unknown>} object
   */
  const shapeOf = (object) => {
    let node = shapeTree
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue
      let next = node.next.get(key)
      if (next === undefined) node.next.set(key, next = { id: -1, next: new Map() })
      node = next
    }
    if (node.id === -1) {
      node.id = shapes.length
      /** @type {string[]} */
      const keys = []
      for (const key in object) if (Object.hasOwn(object, key)) keys.push(key)
      shapes.push(keys)
    }
    return node.id
  }

  /**
   * A value (weighed: within a slice, met once) as a node.
   * @param {unknown} value
   */
  const node = (value) => {
    if (isPlainArray(value)) {
      const array = /** @type {unknown[]} */ (value)
      if (tree || isDense(array)) {
        ops.push(LIST, array.length)
        for (let i = 0; i < array.length; i++) node(array[i])
        return
      }
    } else if (isPlainObject(value)) {
      const record = /** @type {Record<string, unknown>} */ (value)
      const shape = shapeOf(record)
      ops.push(SHAPED, shape)
      for (const key of shapes[shape] ?? []) node(record[key])
      return
    }
    ops.push(LEAF)
    values.push(value)
  }

  /**
   * @param {unknown} value
   * @param {number} parent
   * @param {string | number} key
   */
  const put = (value, parent, key) => {
    /** @type {object[] | undefined} */
    const seen = met === undefined ? undefined : []
    const left = weigh(value, SLICE, seen)
    ops.push(parent)
    if (typeof key === "string") values.push(key)
    if (left >= 0 || !(isPlainArray(value) || isPlainObject(value))) {
      // whole in this slice (a leaf larger than a slice, a long string, say, fills one of its own)
      if (seen !== undefined) for (const object of seen) meet(object)
      ops.push(NODE)
      node(value)
      size += SLICE - left
      if (size >= SLICE) flush()
      return
    }
    const id = containers++
    meet(/** @type {object} */ (value))
    if (Array.isArray(value)) {
      if (!tree && !isDense(value)) throw new Whole()
      ops.push(ARRAY)
      for (let i = 0; i < value.length; i++) put(value[i], id, i)
    } else {
      ops.push(OBJECT)
      const record = /** @type {Record<string, unknown>} */ (value)
      for (const key in record) if (Object.hasOwn(record, key)) put(record[key], id, key)
    }
  }

  try {
    if (weigh(value, 2 * SLICE, undefined) >= 0) return undefined
    put(value, -1, 0)
    if (ops.length > 0) flush()
    return slices
  } catch (error) {
    // a value to send whole, or one too deep to walk (RangeError): postMessage decides
    if (error instanceof Whole || error instanceof RangeError) return undefined
    throw error
  }
}
