/**
 * JSON encoding that matches the bytes httpbin (Flask + Python's `json`) sends, so clients that
 * compare raw bodies or Content-Length against httpbin.org see the same thing.
 */

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

// Python's json module escapes every non-ASCII code unit by default (ensure_ascii=True).
const NON_ASCII = /[\u0080-\uffff]/g

const escapeNonAscii = (text: string): string =>
  text.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Flask's `jsonify` as httpbin configures it: keys sorted, two-space indent, trailing newline.
 * JSON.stringify already produces Python's indent layout; sorting has to be done up front.
 */
export const prettyJson = (value: JsonValue): string =>
  escapeNonAscii(JSON.stringify(sortKeys(value), null, 2)) + "\n"

const sortKeys = (value: JsonValue): JsonValue => {
  if (value === null || typeof value !== "object") return value
  if (isArray(value)) return value.map(sortKeys)
  // A null prototype keeps a user-supplied "__proto__" key an ordinary property.
  const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>
  for (const key of Object.keys(value).sort(compareKeys)) {
    out[key] = sortKeys(value[key] ?? null)
  }
  return out
}

const isArray = (value: JsonValue): value is ReadonlyArray<JsonValue> => Array.isArray(value)

/**
 * Python's `json.dumps(obj)` with default settings: insertion order, ", " and ": " separators.
 * /stream/:n emits its lines this way rather than through jsonify.
 */
export const compactPythonJson = (value: JsonValue): string => {
  if (value === null || typeof value !== "object") return escapeNonAscii(JSON.stringify(value))
  if (isArray(value)) return `[${value.map(compactPythonJson).join(", ")}]`
  const parts: Array<string> = []
  for (const key of Object.keys(value)) {
    parts.push(`${escapeNonAscii(JSON.stringify(key))}: ${compactPythonJson(value[key] ?? null)}`)
  }
  return `{${parts.join(", ")}}`
}

/** A plain dictionary whose keys come from the client, so it must not have a prototype. */
export const dict = <V>(): Record<string, V> => Object.create(null) as Record<string, V>
