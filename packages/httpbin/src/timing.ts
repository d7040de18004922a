import type { Exchange } from "./request.js"

const MAX_TIMER_MS = 2_147_483_647

/**
 * Waits, but gives up as soon as the signal aborts (client gone, server closing), so no timer
 * outlives its response. Resolves true when the full time elapsed.
 */
export const sleep = (ms: number, signal: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort)
      resolve(true)
    }, Math.min(Math.max(0, ms), MAX_TIMER_MS))
    signal.addEventListener("abort", onAbort, { once: true })
  })

/** Writes a body chunk, waiting for the socket to drain; false once the response is gone. */
export const writeChunk = (ex: Exchange, chunk: string | Uint8Array): Promise<boolean> => {
  const { res, signal } = ex
  if (signal.aborted || res.destroyed) return Promise.resolve(false)
  if (res.write(chunk)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off("drain", onDrain)
      signal.removeEventListener("abort", onAbort)
      resolve(ok)
    }
    const onDrain = () => done(true)
    const onAbort = () => done(false)
    res.once("drain", onDrain)
    signal.addEventListener("abort", onAbort, { once: true })
  })
}
