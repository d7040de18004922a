import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { statSync } from "node:fs"
import { isAbsolute } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import type * as Background from "../Background.js"
import {
  BackgroundError,
  InvalidOption,
  JsonDecodeError,
  type RequestError,
  SchemaDecodeError,
  WorkerCrashed
} from "../Errors.js"
import type { Response } from "../Response.js"
import * as Task from "../Task.js"
import { redactUrl } from "./url.js"

export type Work = Background.Job["work"]

interface Where {
  readonly method: string
  readonly url: string | URL
}

const refuse = (where: Where, option: string, value: unknown, reason: string) =>
  Either.left(
    new InvalidOption({ option, value, reason, method: String(where.method).toUpperCase(), url: redactUrl(String(where.url)) })
  )

/** Module files seen to exist: checked once each (one `stat`), not on every request. */
const seen = new Set<string>()

/** The module as an absolute `file:` URL, when it names a file that exists. */
const moduleHref = (module: unknown): Either.Either<string, string> => {
  let href: string
  if (module instanceof URL) href = module.href
  else if (typeof module !== "string") return Either.left("a file: URL or an absolute path")
  else if (module.startsWith("file:")) href = module
  else if (isAbsolute(module)) href = pathToFileURL(module).href
  else {
    return Either.left(
      "a file: URL or an absolute path: new URL(\"./work.js\", import.meta.url), or import.meta.resolve(\"pkg/work\")"
    )
  }
  if (seen.has(href)) return Either.right(href)
  let file: string
  try {
    file = fileURLToPath(href)
  } catch {
    return Either.left("a file: URL or an absolute path")
  }
  try {
    if (!statSync(file).isFile()) return Either.left(`a module file (${file} is not a file)`)
  } catch {
    return Either.left(`a module file that exists (${file} does not)`)
  }
  seen.add(href)
  return Either.right(href)
}

const moduleWork = (
  where: Where,
  option: string,
  kind: "schema" | "module",
  value: unknown
): Either.Either<Work, InvalidOption> => {
  if (typeof value !== "object" || value === null) {
    return refuse(where, option, value, "{ module, export } of a module file the worker threads can import")
  }
  const { module, export: name = "default" } = value as Background.ModuleExport
  if (typeof name !== "string" || name === "") return refuse(where, `${option}.export`, name, "the name of an export")
  const href = moduleHref(module)
  if (Either.isLeft(href)) return refuse(where, `${option}.module`, module, href.left)
  return Either.right({ kind, module: href.right, export: name })
}

/**
 * A request's `background`, checked when the request is made (not when it runs): a closure, a module
 * that does not exist, a streamed body or no pool to run on are refused with `InvalidOption`.
 */
export const check = (
  background: unknown,
  where: Where,
  stream: boolean,
  pool: Background.WorkerPool | undefined
): Either.Either<Work, InvalidOption> => {
  if (typeof background === "function") {
    return refuse(
      where,
      "background",
      background,
      "a closure cannot run in a worker thread (what it closes over stays on this one): give { module, export } of a module file that exports it, or use backgroundCallback"
    )
  }
  if (typeof background !== "object" || background === null) {
    return refuse(where, "background", background, "{ parse: \"json\" }, { schema: { module, export } } or { module, export }")
  }
  let work: Either.Either<Work, InvalidOption>
  if ("parse" in background) {
    work = background.parse === "json"
      ? Either.right({ kind: "json" })
      : refuse(where, "background.parse", background.parse, "\"json\"")
  } else if ("schema" in background) {
    work = moduleWork(where, "background.schema", "schema", background.schema)
  } else {
    work = moduleWork(where, "background", "module", background)
  }
  if (Either.isLeft(work)) return work
  if (stream) return refuse(where, "background", background, "the body must be read: not with stream: true")
  if (pool === undefined) {
    return refuse(
      where,
      "background",
      background,
      "no worker pool: provide @requests-futures/core/WorkerPool's layer, or give the session a workerPool"
    )
  }
  return work
}

export const describe = (work: Work): string =>
  work.kind === "json" ? "JSON parsing" : `${work.kind === "schema" ? "Schema" : "function"} "${work.export}" of ${work.module}`

/** The body's bytes in a buffer of their own (transferred whole to the worker), copied only when they share one. */
const ownBuffer = (content: Uint8Array): Uint8Array =>
  content.buffer instanceof ArrayBuffer && content.byteOffset === 0 && content.byteLength === content.buffer.byteLength
    ? content
    : new Uint8Array(content)

const lowerCaseRecord = (headers: Response["headers"]): Record<string, string> => {
  const record: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers.toRecord())) {
    const key = name.toLowerCase()
    record[key] = key in record ? `${record[key]}, ${value}` : value
  }
  return record
}

const charsetOf = (contentType: string | undefined): string | undefined => {
  const match = contentType === undefined ? null : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)
  return match === null ? undefined : match[1]
}

/**
 * The background work of a response, as the step of the future's task that continues with an effect:
 * it runs in the request's slot, and its time goes into `timings.background`. The body's buffer goes to
 * the worker and comes back with the result; `response.data` is the result.
 */
export const run = (
  pool: Background.WorkerPool,
  work: Work,
  response: Response
): Task.Step<Response, RequestError> =>
  Task.continueWith(Effect.suspend(() => {
    const started = performance.now()
    const info = { method: response.request.method, url: response.url }
    const job: Background.Job = {
      work,
      content: ownBuffer(response.content),
      charset: charsetOf(response.headers.get("content-type")),
      statusCode: response.statusCode,
      url: response.url,
      headers: lowerCaseRecord(response.headers)
    }
    return Effect.matchEffect(pool.run(job), {
      onFailure: (crashed) => Effect.fail(new WorkerCrashed({ ...info, work: describe(work), cause: crashed.cause })),
      onSuccess: (outcome): Effect.Effect<Response, RequestError> => {
        const timings = { ...response.timings, background: performance.now() - started }
        if (outcome._tag === "Done") {
          return Effect.succeed(response.copy({ content: outcome.content, data: outcome.data, timings }))
        }
        const restored = response.copy({ content: outcome.content, timings })
        switch (outcome.reason) {
          case "json":
            return Effect.fail(new JsonDecodeError({ ...info, cause: outcome.error, response: restored }))
          case "schema":
            return Effect.fail(
              new SchemaDecodeError({
                ...info,
                cause: outcome.error instanceof Error ? outcome.error.message : outcome.error,
                response: restored
              })
            )
          case "work":
            return Effect.fail(new BackgroundError({ ...info, work: describe(work), cause: outcome.error }))
        }
      }
    })
  }))
