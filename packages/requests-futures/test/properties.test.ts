/**
 * The facade by property: whatever a JavaScript caller passes (any type, any string), a request
 * resolves with a `Response` or rejects with one of the facade's `RequestException` classes, and a
 * session's constructor either works or throws `InvalidOption`; never a bare `TypeError`.
 */
import * as FastCheck from "effect/FastCheck"
import { FuturesSession, InvalidOption, RequestException, Response, Session } from "requests-futures"
import { afterAll, describe, expect, it } from "vitest"
import { useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const session = new Session({ timeout: 5_000 })
const futures = new FuturesSession({ maxWorkers: 4, timeout: 5_000 })
afterAll(() => Promise.all([session.close(), futures.close()]))

const nasty = FastCheck.oneof(
  FastCheck.string({ maxLength: 12 }),
  FastCheck.fullUnicodeString({ maxLength: 8 }),
  FastCheck.constantFrom("a\r\nb", "\0", "é", "x".repeat(10_000))
)
const junk = FastCheck.oneof(
  FastCheck.constantFrom(undefined, null, -1, 0, 1.5, Number.NaN, Infinity, true, "", "x", {}, [], [0], [[1, 2]]),
  FastCheck.anything({ maxDepth: 2, withBigInt: true, withMap: true }),
  FastCheck.tuple(nasty, nasty),
  FastCheck.dictionary(nasty, nasty, { maxKeys: 2 })
)
const options = FastCheck.constantFrom(
  "params",
  "data",
  "json",
  "files",
  "headers",
  "cookies",
  "auth",
  "timeout",
  "allowRedirects",
  "allowDowngrade",
  "hooks",
  "stream",
  "maxRedirects",
  "retry",
  "signal"
)

const outcome = async (promise: PromiseLike<unknown>): Promise<unknown> => {
  try {
    return await promise
  } catch (error) {
    return error
  }
}

describe("any input, typed outcome", () => {
  it("one request option of any type: a Response or a RequestException, from both sessions", { timeout: 30_000 }, async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(options, junk, async (option, value) => {
        const safe = option === "retry" && typeof value === "number" && value > 2 ? 2 : value
        const url = `${httpbin.url}/anything`
        for (const result of [
          await outcome(session.post(url, { [option]: safe })),
          await outcome(futures.post(url, { [option]: safe }))
        ]) {
          if (result instanceof Response) continue
          expect(result, String(result)).toBeInstanceOf(RequestException)
        }
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 80) }
    )
  })

  it("any string as a URL or a header: a Response or a RequestException", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(nasty, nasty, nasty, async (path, name, value) => {
        const local = /^[/?#]/.test(path) ? `${httpbin.url}${path}` : path
        const result = await outcome(session.get(local, { headers: { [name]: value }, timeout: 1_000 }))
        if (!(result instanceof Response)) expect(result, String(result)).toBeInstanceOf(RequestException)
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 80) }
    )
  })

  it("session settings of any type: a session, or InvalidOption", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.constantFrom("headers", "params", "auth", "cookies", "timeout", "maxRedirects", "retry", "hooks"),
        junk,
        async (setting, value) => {
          let made: Session | undefined
          try {
            made = new Session({ [setting]: value })
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(InvalidOption)
            return
          }
          const result = await outcome(made.get(`${httpbin.url}/get`))
          await made.close()
          if (!(result instanceof Response)) expect(result, String(result)).toBeInstanceOf(RequestException)
        }
      ),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 80) }
    )
  })
})
