/**
 * OURS, Promise facade: `new FuturesSession({ maxWorkers: C })` from "requests-futures".
 *
 * WRITTEN AGAINST AN ASSUMED API (the package is still a placeholder): `session.get(url)` returns a
 * Future (PromiseLike) of a Response with `.statusCode` and `.content: Uint8Array`, and the session
 * may have `close()`. When the package lands, replace the dynamic import and the `Assumed*` types
 * with a static `import { FuturesSession } from "requests-futures"`.
 */
import { ClientUnavailable, runClient } from "./harness.js"

interface AssumedResponse {
  readonly statusCode: number
  readonly content: Uint8Array
}
interface AssumedSession {
  readonly get: (url: string) => PromiseLike<AssumedResponse>
  readonly close?: () => PromiseLike<void> | void
}
type AssumedSessionClass = new (options: { readonly maxWorkers: number }) => AssumedSession

const loadFuturesSession = async (): Promise<AssumedSessionClass> => {
  // A string variable keeps tsc from checking the placeholder's current types against the assumed API.
  const specifier: string = "requests-futures"
  let mod: unknown
  try {
    mod = await import(specifier)
  } catch (error) {
    throw new ClientUnavailable(`import("${specifier}") failed: ${String(error)}`)
  }
  const FuturesSession: unknown =
    typeof mod === "object" && mod !== null && "FuturesSession" in mod ? mod.FuturesSession : undefined
  if (typeof FuturesSession !== "function") {
    throw new ClientUnavailable(`"${specifier}" does not export a FuturesSession class yet`)
  }
  return FuturesSession as AssumedSessionClass
}

runClient(async ({ url, concurrency }) => {
  const FuturesSession = await loadFuturesSession()
  const session = new FuturesSession({ maxWorkers: concurrency })
  return {
    // requests-futures style: queue every future at once and let the executor bound what is in flight.
    batch: async (count, tally) => {
      const futures = Array.from({ length: count }, () => session.get(url))
      for (const future of futures) {
        try {
          const response = await future
          tally.check(response.statusCode, response.content.byteLength)
        } catch (error) {
          tally.fail(error)
        }
      }
    },
    close: async () => {
      await session.close?.()
    }
  }
})
