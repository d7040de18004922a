/**
 * Background work that leaves the event loop: a FuturesSession request with `background` hands its
 * body to a pool of worker threads, which parse it (`{ parse: "json" }`), decode it with an effect
 * `Schema` (`{ schema: { module, export } }`) or pass it to a function of yours (`{ module, export }`);
 * the result lands on `response.data`. A same-thread `backgroundCallback` parsing a 50 MB body stops
 * every other request and timer for as long as it parses; a worker thread does not. A large result
 * (a parsed document of megabytes) comes back in slices of some 64 KB, put together on this thread a
 * few milliseconds at a time, with its event loop turning in between: the same value, without one
 * long stop to receive it.
 *
 * Only what can cross to another thread can be work: a closure cannot (its variables stay behind), so
 * functions and schemas are named by the module file that exports them, which the worker imports.
 * The pool itself is `@requests-futures/core/WorkerPool` (on `@effect/platform`'s `Worker` and
 * `@effect/platform-node`, optional peer dependencies loaded only by who imports it); this module is
 * what the session needs to know of it, and loads neither.
 *
 * ```ts
 * import * as WorkerPool from "@requests-futures/core/WorkerPool"
 *
 * const program = Effect.gen(function*() {
 *   const session = yield* FuturesSession.make()
 *   const future = yield* session.get(url, { background: { parse: "json" } })
 *   return (yield* future).data
 * }).pipe(Effect.scoped, Effect.provide(WorkerPool.layer({ workers: 2 })))
 * ```
 *
 * @since 0.3.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/**
 * A module file the worker threads import, and the name of one of its exports (`"default"` if left
 * out). `module` is a `file:` URL (`new URL("./parse.js", import.meta.url)`, `import.meta.resolve("pkg/parse")`)
 * or an absolute path: a relative one would be relative to nothing the worker knows.
 *
 * @since 0.3.0
 */
export interface ModuleExport {
  readonly module: string | URL
  readonly export?: string | undefined
}

/**
 * What the worker does with the body, its result going to `response.data`:
 *
 * - `{ parse: "json" }`: `JSON.parse` of the body (decoded with the `Content-Type` charset, else UTF-8);
 *   a body that is not JSON fails the future with `JsonDecodeError`.
 * - `{ schema: { module, export } }`: parses the JSON and decodes it with the `Schema` that module
 *   exports (`SchemaDecodeError` when it does not match). The schema's type must survive a structured
 *   clone back to the caller's thread: plain data, `Date`, `Map`, `Set`, typed arrays (not `Option`,
 *   `Data.Class` or other class instances, which arrive as plain objects).
 * - `{ module, export }`: calls that exported function with a {@link Input} and puts what it returns
 *   (or resolves to) on `data`; a throw or rejection is a `BackgroundError`.
 *
 * @since 0.3.0
 */
export type Background =
  | { readonly parse: "json" }
  | { readonly schema: ModuleExport }
  | ModuleExport

/**
 * What a function given as `{ module, export }` receives in the worker thread. `content` is the body
 * itself, moved to this thread (not copied): read it, do not keep it (it goes back afterwards).
 *
 * @since 0.3.0
 */
export interface Input {
  readonly content: Uint8Array
  readonly statusCode: number
  /** The final URL. */
  readonly url: string
  /** The response headers, names lower-case (repeated ones joined with `, `). */
  readonly headers: Readonly<Record<string, string>>
  /** The body as text, in the `Content-Type` charset (else UTF-8). */
  readonly text: () => string
  /** The body parsed as JSON (throws when it is not). */
  readonly json: () => unknown
}

/**
 * A job for a worker thread: the work, checked and resolved (`module` is an absolute `file:` URL),
 * and the response's body and what a function may want of the response.
 *
 * @since 0.3.0
 */
export interface Job {
  readonly work:
    | { readonly kind: "json" }
    | { readonly kind: "schema" | "module"; readonly module: string; readonly export: string }
  /** The body; its buffer is transferred to the worker when it owns it whole, else a copy is. */
  readonly content: Uint8Array
  readonly charset: string | undefined
  readonly statusCode: number
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * How a job ended: with the data, or with why not; either way with the body's bytes back.
 *
 * @since 0.3.0
 */
export type Outcome =
  | { readonly _tag: "Done"; readonly data: unknown; readonly content: Uint8Array }
  | {
    readonly _tag: "Failed"
    /** `json`: not JSON; `schema`: no match; `work`: the function threw, or the export is not there. */
    readonly reason: "json" | "schema" | "work"
    readonly error: unknown
    readonly content: Uint8Array
  }

/**
 * The thread running the job died (it called `process.exit`, ran out of memory, threw outside any
 * job): that job fails, and the pool starts a new thread in its place.
 *
 * @since 0.3.0
 */
export interface Crashed {
  readonly _tag: "Crashed"
  readonly cause: unknown
}

/**
 * @since 0.3.0
 */
export interface Stats {
  /** The threads the pool keeps. */
  readonly workers: number
  /** Threads alive now (0 once the pool is closed). */
  readonly threads: number
  /** Jobs being run. */
  readonly busy: number
  /** Jobs that ended (done or failed, crashes included). */
  readonly completed: number
  /** Jobs whose thread died under them. */
  readonly crashed: number
  /**
   * Jobs whose result was large enough to come back in slices: put back together on the caller's
   * thread a few milliseconds at a time, its event loop turning in between, instead of in one go.
   */
  readonly sliced: number
}

/**
 * A pool of worker threads, as a FuturesSession uses it. Make one with
 * `@requests-futures/core/WorkerPool` (`make`, `layer`).
 *
 * @since 0.3.0
 */
export interface WorkerPool {
  readonly workers: number
  /** Runs a job on a free thread (waiting for one); interrupting it abandons the job. */
  readonly run: (job: Job) => Effect.Effect<Outcome, Crashed>
  readonly stats: () => Stats
}

/**
 * The pool in context: a FuturesSession made there (`FuturesSession.make`, `layer`) runs its
 * requests' `background` work on it, unless its config names another (`workerPool`).
 *
 * @since 0.3.0
 */
export class Pool extends Context.Tag("@requests-futures/core/Background/Pool")<Pool, WorkerPool>() {}
