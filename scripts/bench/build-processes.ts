/**
 * Compiles the spawned programs (clients/*.ts, server-httpbin.ts) to plain JS in scripts/bench/build/
 * before a run. Starting each of ~150 processes under tsx costs 0.4–1 s of CPU apiece, which would
 * eat the time budget and add the loader to every client's peak RSS.
 */
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import { join } from "node:path"

const benchDir = import.meta.dirname

/** The compiled path of a source file under scripts/bench, e.g. "clients/undici.ts". */
export const builtScript = (source: string): string => join(benchDir, "build", source.replace(/\.ts$/, ".js"))

export const buildProcesses = (): void => {
  const tsc = createRequire(import.meta.url).resolve("typescript/lib/tsc.js")
  // --noCheck: `npm run bench` has just type-checked everything with tsc -b; this only emits.
  const result = spawnSync(process.execPath, [tsc, "-p", join(benchDir, "tsconfig.clients.json"), "--noCheck"], {
    encoding: "utf8"
  })
  if (result.status !== 0) {
    throw new Error(`compiling the bench clients failed:\n${result.stdout}${result.stderr}`)
  }
}
