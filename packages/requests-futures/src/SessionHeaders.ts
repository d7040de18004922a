import { Headers as CoreHeaders, type Session as CoreSession } from "@requests-futures/core"
import type { HeadersInit } from "./types/options.js"
import { type InspectArgs, inspectAs } from "./utils/inspect.js"

/**
 * The headers of a session, live: what you set here is sent with every later request (requests'
 * `session.headers`). Names are case-insensitive; the spelling first set is the one sent.
 *
 * @example
 * ```ts
 * session.headers.set("X-Token", "1")
 * session.headers.update({ Accept: "application/json", "User-Agent": undefined }) // undefined removes
 * session.headers.get("x-token") // "1"
 * ```
 */
export class SessionHeaders implements Iterable<readonly [string, string]> {
  readonly #session: CoreSession.Session

  /** @internal */
  constructor(session: CoreSession.Session) {
    this.#session = session
  }

  get #current(): CoreHeaders.Headers {
    return this.#session.defaults().headers
  }

  #update(f: (headers: CoreHeaders.Headers) => CoreHeaders.Headers): this {
    this.#session.updateDefaults((defaults) => ({ ...defaults, headers: f(defaults.headers) }))
    return this
  }

  /** The value, repeated values joined with ", "; `undefined` when absent. */
  get(name: string): string | undefined {
    return this.#current.get(name)
  }

  has(name: string): boolean {
    return this.#current.has(name)
  }

  /** Sets (replaces) a header. */
  set(name: string, value: string): this {
    return this.#update((headers) => headers.set(name, value))
  }

  /** Removes headers; whether one of them was there. */
  delete(...names: ReadonlyArray<string>): boolean {
    const had = names.some((name) => this.has(name))
    if (had) this.#update((headers) => headers.delete(...names))
    return had
  }

  /** Sets several at once (requests' `headers.update`); a name set to `undefined` is removed. */
  update(headers: HeadersInit): this {
    return this.#update((current) => CoreHeaders.Headers.merge(current, headers))
  }

  get size(): number {
    return this.#current.size
  }

  /** A plain record of the headers as they are now. */
  toRecord(): Record<string, string> {
    return this.#current.toRecord()
  }

  [Symbol.iterator](): Iterator<readonly [string, string]> {
    return this.#current[Symbol.iterator]()
  }

  toJSON(): Record<string, string> {
    return this.toRecord()
  }

  /** `console.log(session.headers)`: `Authorization` shows its scheme only, cookie values are `***`. */
  [Symbol.for("nodejs.util.inspect.custom")](...args: InspectArgs): string {
    return inspectAs("SessionHeaders", CoreHeaders.redact(this.#current), ...args)
  }
}
