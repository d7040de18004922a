/**
 * The clients under test, in table order. Each is a separate program run as its own process, so
 * one library's heap, agents and CPU time never leak into another's numbers.
 */
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { builtScript } from "./build-processes.js"

export interface ClientSpec {
  readonly name: string
  /** One line for RESULTS.md: what exactly this client does. */
  readonly describe: string
  /** The program and its leading arguments, or why it cannot run here. */
  readonly resolve: () => { readonly command: ReadonlyArray<string> } | { readonly skip: string }
}

const clientsDir = join(import.meta.dirname, "clients")

const node = (file: string) => () => ({ command: [process.execPath, builtScript(`clients/${file}`)] })

/**
 * The python3 first on PATH may be a pyenv or venv interpreter without Debian's
 * python3-requests-futures, so try the system one too.
 */
const findPython = (): { readonly command: ReadonlyArray<string> } | { readonly skip: string } => {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const check = spawnSync(python, ["-c", "import requests_futures"], { stdio: "ignore" })
    if (check.status === 0) return { command: [python, join(clientsDir, "python_requests_futures.py")] }
  }
  return { skip: "no python3 can `import requests_futures` (apt-get install python3-requests-futures)" }
}

export const CLIENTS: ReadonlyArray<ClientSpec> = [
  { name: "undici", describe: "undici 7 Pool({ connections: C }), pool.request()", resolve: node("undici.ts") },
  { name: "fetch", describe: "Node's global fetch, C in flight", resolve: node("fetch.ts") },
  { name: "axios", describe: "axios 1 + p-limit(C), keep-alive Agent maxSockets C", resolve: node("axios.ts") },
  { name: "got", describe: "got 14 + p-limit(C), keep-alive Agent maxSockets C", resolve: node("got.ts") },
  {
    name: "effect-platform",
    describe: "@effect/platform HttpClient on NodeHttpClient.layerUndici, Effect.forEach concurrency C",
    resolve: node("effect-platform.ts")
  },
  {
    name: "python-requests-futures",
    describe: "Python requests_futures FuturesSession(max_workers=C)",
    resolve: findPython
  },
  // Ours: skipped with a note until the packages export the API these files assume.
  {
    name: "ours-core",
    describe: "@requests-futures/core FuturesSession, maxWorkers C (Effect)",
    resolve: node("ours-core.ts")
  },
  {
    name: "ours-promise",
    describe: "requests-futures new FuturesSession({ maxWorkers: C }) (Promise facade)",
    resolve: node("ours-promise.ts")
  },
  {
    name: "ours-promise-perhost",
    describe: "ours-promise with perHost: { maxWorkers: C } (the per-host scheduler's own cost)",
    resolve: node("ours-promise-perhost.ts")
  }
]

export const BASELINE = "undici"
