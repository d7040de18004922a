// @ts-check
/* global TextDecoder */
/**
 * The program of a background worker thread (`@requests-futures/core/WorkerPool`). It is plain
 * JavaScript on purpose: Node starts a worker thread from a file it can run as it is, and this one is
 * the same file whether the core runs from its sources (tests) or from `dist` (the published package).
 *
 * A job comes with the body's bytes transferred to this thread; the answer goes back with the result
 * and the same bytes, transferred back. A large result goes as slices (`slices.mjs`), transferred, for
 * the caller's thread to deserialize a piece at a time; a small one is structured-cloned with the answer. A job that fails says why (`json`, `schema`,
 * `work`); a thread that dies fails the job it was running, on the other side.
 */
import * as Transferable from "@effect/platform/Transferable"
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { slice } from "./slices.mjs"

/** @type {Map<string, Promise<Record<string, unknown>>>} */
const modules = new Map()

/** @param {string} href */
const load = (href) => {
  let loaded = modules.get(href)
  if (loaded === undefined) modules.set(href, loaded = import(href))
  return loaded
}

/**
 * @param {string} reason
 * @param {unknown} error
 * @param {Uint8Array} content
 */
const failure = (reason, error, content) => ({ reason, error, content })

/** @param {{ content: Uint8Array, charset: string | undefined }} job */
const text = (job) => new TextDecoder(job.charset ?? "utf-8").decode(job.content)

/** @param {{ content: Uint8Array, charset: string | undefined }} job */
const json = (job) =>
  Effect.try({ try: () => /** @type {unknown} */ (JSON.parse(text(job))), catch: (error) => failure("json", error, job.content) })

/**
 * The export a job names, loaded once per thread.
 * @param {{ module: string, export: string }} work
 * @param {Uint8Array} content
 */
const exported = (work, content) =>
  Effect.tryPromise({
    try: async () => {
      const module = await load(work.module)
      if (!(work.export in module)) throw new Error(`${work.module} has no export "${work.export}"`)
      return module[work.export]
    },
    catch: (error) => failure("work", error, content)
  })

/**
 * @param {any} job
 * @returns {Effect.Effect<unknown, ReturnType<typeof failure>>}
 */
const perform = (job) => {
  switch (job.work.kind) {
    case "json":
      return json(job)
    case "schema":
      return Effect.flatMap(exported(job.work, job.content), (schema) =>
        Schema.isSchema(schema)
          ? Effect.flatMap(json(job), (value) =>
            Effect.mapError(
              Schema.decodeUnknown(/** @type {Schema.Schema<unknown, unknown, never>} */ (schema))(value),
              (error) => failure("schema", new Error(ParseResult.TreeFormatter.formatErrorSync(error)), job.content)
            ))
          : Effect.fail(failure("work", new Error(`export "${job.work.export}" of ${job.work.module} is not a Schema`), job.content)))
    default:
      return Effect.flatMap(exported(job.work, job.content), (fn) =>
        typeof fn !== "function"
          ? Effect.fail(failure("work", new Error(`export "${job.work.export}" of ${job.work.module} is not a function`), job.content))
          : Effect.tryPromise({
            try: async () =>
              /** @type {unknown} */ (await fn({
                content: job.content,
                statusCode: job.statusCode,
                url: job.url,
                headers: job.headers,
                text: () => text(job),
                json: () => JSON.parse(text(job))
              })),
            catch: (error) => failure("work", error, job.content)
          }))
  }
}

/** @param {{ content: Uint8Array, slices?: ArrayBuffer[] }} message */
const transfer = (message) => Effect.as(Transferable.addAll([message.content.buffer, ...(message.slices ?? [])]), message)

/**
 * @param {any} job
 * @param {unknown} data
 */
const answer = (job, data) => {
  // JSON.parse makes a tree: no object in it reached twice, none to remember while cutting it
  const slices = slice(data, job.work.kind === "json")
  return slices === undefined ? { data, content: job.content } : { data: undefined, slices, content: job.content }
}

WorkerRunner.layer(
  (/** @type {any} */ job) => Effect.map(perform(job), (data) => answer(job, data)),
  { encodeOutput: (_job, output) => transfer(output), encodeError: (_job, error) => transfer(error) }
).pipe(
  Layer.provide(NodeWorkerRunner.layer),
  NodeWorkerRunner.launch,
  Effect.runFork
)
