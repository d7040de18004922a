import type { ErrorReporter } from "../types/options.js"

/** Where a throwing done-callback goes when no `onError` was given: the console, never the process. */
export const reportToConsole: ErrorReporter = (error) => {
  console.error("requests-futures: a done-callback threw (the future is unaffected):", error)
}

/** Calls `f`, reporting a throw or a rejected promise instead of letting it escape. */
export const callSafely = (f: () => unknown, report: ErrorReporter): void => {
  try {
    const out = f()
    if (typeof out === "object" && out !== null && typeof (out as { then?: unknown }).then === "function") {
      ;(out as PromiseLike<unknown>).then(undefined, (error: unknown) => safeReport(report, error))
    }
  } catch (error) {
    safeReport(report, error)
  }
}

const safeReport = (report: ErrorReporter, error: unknown): void => {
  try {
    report(error)
  } catch (again) {
    reportToConsole(again)
  }
}
