/**
 * Case-insensitive, multi-value HTTP headers (requests' `CaseInsensitiveDict`, aware of repeats).
 *
 * A `Headers` value is immutable: `set`, `append` and `delete` return a new value. The first
 * spelling of a name is kept for sending; lookups ignore case. `get` joins repeated values with
 * ", " (as requests does), `getAll` returns them one by one (use it for `Set-Cookie`).
 *
 * Printed (`console.log`, `String(headers)`), credentials and cookie values are masked: see
 * {@link redact}.
 *
 * @since 0.1.0
 */
import * as Inspectable from "effect/Inspectable"
import { redactUrl } from "./internal/url.js"

/**
 * What a user may pass as headers. A name set to `undefined` or `null` (requests' `None`) removes the
 * header when merged over another set (a session's, the defaults).
 */
export type HeadersInput =
  | Headers
  | Readonly<Record<string, string | number | ReadonlyArray<string> | null | undefined>>
  | ReadonlyArray<readonly [string, string]>

interface Entry {
  readonly name: string
  readonly values: ReadonlyArray<string>
}

const TypeId: unique symbol = Symbol.for("@requests-futures/core/Headers")

export class Headers implements Iterable<readonly [string, string]> {
  readonly [TypeId] = TypeId
  #entries: ReadonlyMap<string, Entry> | undefined
  /**
   * A response's headers as undici gave them (`[name, value, ...]`), until something needs the map:
   * the lookups a request makes (`location`, `set-cookie`, `content-encoding`) scan this list instead,
   * and a response that is never iterated never builds the map.
   */
  #raw: ReadonlyArray<string> | undefined

  /** @internal */
  constructor(entries: ReadonlyMap<string, Entry> | undefined, raw?: ReadonlyArray<string>) {
    this.#entries = entries
    this.#raw = raw
  }

  /** @internal keyed by lower-case name */
  get entries(): ReadonlyMap<string, Entry> {
    if (this.#entries === undefined) {
      const map = new Map<string, Entry>()
      const raw = this.#raw ?? []
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i]!
        const key = name.toLowerCase()
        const existing = map.get(key)
        if (existing === undefined) map.set(key, { name, values: [raw[i + 1]!] })
        else (existing.values as Array<string>).push(raw[i + 1]!)
      }
      this.#entries = map
      this.#raw = undefined
    }
    return this.#entries
  }

  /** The values of `name` from the raw list, without building the map. */
  #scan(name: string): ReadonlyArray<string> {
    const raw = this.#raw!
    let values: Array<string> | undefined
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (equalsIgnoreCase(raw[i]!, name)) (values ??= []).push(raw[i + 1]!)
    }
    return values ?? noValues
  }

  static readonly empty = new Headers(new Map())

  /** Builds headers from a record, pairs or another `Headers`; `undefined` and `null` values are dropped. */
  static from(input: HeadersInput | undefined): Headers {
    if (input === undefined) return Headers.empty
    if (input instanceof Headers) return input
    const map = new Map<string, Entry>()
    const add = (name: string, value: string) => {
      const key = name.toLowerCase()
      const existing = map.get(key)
      map.set(key, existing ? { name: existing.name, values: [...existing.values, value] } : { name, values: [value] })
    }
    if (isPairs(input)) {
      for (const [name, value] of input) add(name, value)
    } else {
      for (const name of Object.keys(input)) {
        const value = input[name]
        if (value === undefined || value === null) continue
        if (typeof value === "string" || typeof value === "number") add(name, String(value))
        else for (const v of value) add(name, v)
      }
    }
    return new Headers(map)
  }

  /** From undici's raw header list: `[name, value, name, value, ...]` as Buffers or strings. */
  static fromRaw(raw: ReadonlyArray<Buffer | string>): Headers {
    const strings = new Array<string>(raw.length - (raw.length % 2))
    for (let i = 0; i < strings.length; i++) strings[i] = raw[i]!.toString("latin1")
    return new Headers(undefined, strings)
  }

  /**
   * requests' `merge_setting`: `overrides` win; a name set to `undefined` or `null` in a record removes it.
   */
  static merge(base: Headers, overrides: HeadersInput | undefined): Headers {
    if (overrides === undefined) return base
    const map = new Map(base.entries)
    if (overrides instanceof Headers) {
      for (const [key, entry] of overrides.entries) map.set(key, entry)
    } else if (isPairs(overrides)) {
      for (const [key, entry] of Headers.from(overrides).entries) map.set(key, entry)
    } else {
      for (const name of Object.keys(overrides)) {
        const value = overrides[name]
        const key = name.toLowerCase()
        if (value === undefined || value === null) map.delete(key)
        else map.set(key, { name, values: typeof value === "object" ? [...value] : [String(value)] })
      }
    }
    return new Headers(map)
  }

  get size(): number {
    return this.entries.size
  }

  has(name: string): boolean {
    if (this.#entries === undefined) return this.#scan(name).length > 0
    return this.#entries.has(name.toLowerCase())
  }

  /** The value, repeated values joined with ", "; `undefined` when absent. */
  get(name: string): string | undefined {
    const values = this.getAll(name)
    if (values.length === 0) return undefined
    return values.length === 1 ? values[0] : values.join(", ")
  }

  /** Every value sent under this name, in order. */
  getAll(name: string): ReadonlyArray<string> {
    if (this.#entries === undefined) return this.#scan(name)
    return this.#entries.get(name.toLowerCase())?.values ?? noValues
  }

  set(name: string, value: string): Headers {
    const map = new Map(this.entries)
    map.set(name.toLowerCase(), { name, values: [value] })
    return new Headers(map)
  }

  /** Sets `name` only when it is absent. */
  setDefault(name: string, value: string): Headers {
    return this.has(name) ? this : this.set(name, value)
  }

  delete(...names: ReadonlyArray<string>): Headers {
    if (!names.some((name) => this.has(name))) return this
    const map = new Map(this.entries)
    for (const name of names) map.delete(name.toLowerCase())
    return new Headers(map)
  }

  /** Pairs of (name as first spelled, value), one per value. */
  *[Symbol.iterator](): Iterator<readonly [string, string]> {
    for (const entry of this.entries.values()) {
      for (const value of entry.values) yield [entry.name, value]
    }
  }

  /** A plain record: repeated values joined with ", " (Set-Cookie is better read with `getAll`). */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const entry of this.entries.values()) out[entry.name] = entry.values.join(", ")
    return out
  }

  toJSON(): Record<string, string> {
    return this.toRecord()
  }

  /** For logs: credentials and cookie values masked (see {@link redact}). */
  toString(): string {
    return Inspectable.format(this[Inspectable.NodeInspectSymbol]())
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return { _id: "Headers", headers: redact(this) }
  }
}

const maskCookiePair = (pair: string): string => {
  const eq = pair.indexOf("=")
  return eq === -1 ? "***" : `${pair.slice(0, eq).trim()}=***`
}

/** The value of `name` as it may be printed: the secret part of a credential or cookie replaced by `***`. */
const redactValue = (name: string, value: string): string => {
  switch (name.toLowerCase()) {
    case "authorization":
    case "proxy-authorization": {
      const scheme = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?= )/.exec(value)?.[0]
      return scheme === undefined ? "***" : `${scheme} ***`
    }
    case "cookie":
      return value.split(";").map(maskCookiePair).join("; ")
    case "set-cookie": {
      const semi = value.indexOf(";")
      return semi === -1 ? maskCookiePair(value) : maskCookiePair(value.slice(0, semi)) + value.slice(semi)
    }
    // A URL may hold a password (`http://user:pass@host/`): a redirect's target, the page it came from.
    case "location":
    case "content-location":
    case "referer":
      return redactUrl(value)
    default:
      return value
  }
}

/**
 * The headers as a record for logs and `console.log`: `Authorization` and `Proxy-Authorization` keep
 * their scheme only (`Basic ***`), `Cookie` and `Set-Cookie` their names and attributes
 * (`sid=***; Path=/; HttpOnly`), `Location`, `Content-Location` and `Referer` their URL without its
 * password. Repeated values are joined with ", ", as in `toRecord`.
 */
export const redact = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const entry of headers.entries.values()) {
    out[entry.name] = entry.values.map((value) => redactValue(entry.name, value)).join(", ")
  }
  return out
}

const noValues: ReadonlyArray<string> = Object.freeze([])

/** `a` equals `b` ignoring ASCII case, without allocating lower-cased copies. */
const equalsIgnoreCase = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y && (x | 0x20) !== (y | 0x20)) return false
    // only letters differ by 0x20 alone
    if (x !== y && !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a)) return false
  }
  return true
}

const isPairs = (
  input: Exclude<HeadersInput, Headers>
): input is ReadonlyArray<readonly [string, string]> => Array.isArray(input)

// RFC 9110 token characters for names; values may hold any visible char, space or tab (no CR/LF/NUL).
const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// eslint-disable-next-line no-control-regex
const invalidValueRe = /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/

/** Whether `s` is an RFC 9110 token: what a header name, and a method, must be. */
export const isToken = (s: string): boolean => tokenRe.test(s)

/** Why a header cannot be sent, or `undefined` when it is fine. */
export const validate = (name: string, value: string): string | undefined => {
  if (!tokenRe.test(name)) return "the name must be a token (letters, digits and !#$%&'*+-.^_`|~)"
  if (invalidValueRe.test(value)) {
    return /[\r\n]/.test(value)
      ? "the value contains CR or LF (header injection)"
      : "the value contains a control character or a character outside Latin-1"
  }
  if (/^[ \t]/.test(value)) return "the value has leading whitespace"
  return undefined
}
