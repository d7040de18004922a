import { dict } from "./json.js"

/**
 * An ordered multi-map like werkzeug's MultiDict: query strings and forms may repeat keys,
 * and httpbin reports a repeated key as a list.
 */
export class MultiDict {
  private readonly entries: Array<readonly [string, string]> = []

  static fromSearchParams(params: URLSearchParams): MultiDict {
    const out = new MultiDict()
    for (const [key, value] of params) out.add(key, value)
    return out
  }

  static fromQuery(query: string): MultiDict {
    return query === "" ? new MultiDict() : MultiDict.fromSearchParams(new URLSearchParams(query))
  }

  add(key: string, value: string): void {
    this.entries.push([key, value])
  }

  get size(): number {
    return this.entries.length
  }

  has(key: string): boolean {
    return this.entries.some(([k]) => k === key)
  }

  get(key: string): string | undefined {
    return this.entries.find(([k]) => k === key)?.[1]
  }

  /** httpbin reads some query parameters through a CaseInsensitiveDict. */
  getIgnoreCase(key: string): string | undefined {
    const wanted = key.toLowerCase()
    // CaseInsensitiveDict(args.items()) keeps the last of keys that differ only in case.
    let found: string | undefined
    const seen = new Set<string>()
    for (const [k, v] of this.entries) {
      if (k.toLowerCase() !== wanted || seen.has(k)) continue
      seen.add(k)
      found = v
    }
    return found
  }

  all(): ReadonlyArray<readonly [string, string]> {
    return this.entries
  }

  /** First value per key, in first-seen order (Python's `MultiDict.items()`). */
  firstValues(): ReadonlyArray<readonly [string, string]> {
    const seen = new Set<string>()
    const out: Array<readonly [string, string]> = []
    for (const entry of this.entries) {
      if (seen.has(entry[0])) continue
      seen.add(entry[0])
      out.push(entry)
    }
    return out
  }

  /** httpbin's `semiflatten`: a key seen once maps to its value, a repeated key to a list. */
  semiflatten(): Record<string, string | Array<string>> {
    const out = dict<string | Array<string>>()
    for (const [key, value] of this.entries) {
      const existing = out[key]
      if (existing === undefined) out[key] = value
      else if (typeof existing === "string") out[key] = [existing, value]
      else existing.push(value)
    }
    return out
  }
}
