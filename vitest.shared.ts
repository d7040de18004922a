import { fileURLToPath } from "node:url"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

/** Tests import the workspace packages by name, as users do, but run them from source. */
export const alias: Record<string, string> = {
  "@requests-futures/httpbin": src("httpbin"),
  "@requests-futures/core/PlatformHttpClient": fileURLToPath(
    new URL("./packages/core/src/PlatformHttpClient.ts", import.meta.url)
  ),
  "@requests-futures/core/WorkerPool": fileURLToPath(new URL("./packages/core/src/WorkerPool.ts", import.meta.url)),
  "@requests-futures/core": src("core"),
  "requests-futures/workers": fileURLToPath(new URL("./packages/requests-futures/src/workers.ts", import.meta.url)),
  "requests-futures": src("requests-futures")
}
