/**
 * `npm run pack:size`: what a user gets from `npm install requests-futures`.
 *
 * Packs the published packages (core and the facade; httpbin is a test tool) into a temp dir,
 * installs both tarballs into a fresh temp project from the registry, sends one request through
 * the installed facade (and checks the core's internals cannot be imported), and prints the size
 * of node_modules, the number of packages, whether any of them has an install script or a native
 * `.node` binary, and whether any of Effect's cluster/sql/rpc/workflow packages came along.
 * Run `npm run build` first (`npm run pack:size` does): the tarballs carry `dist`.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const published = ["packages/core", "packages/requests-futures"]
const unwanted = ["@effect/cluster", "@effect/sql", "@effect/rpc", "@effect/workflow"]

const npm = (args: ReadonlyArray<string>, cwd: string): string =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })

interface Installed {
  readonly name: string
  readonly dir: string
  readonly hasInstallScript: boolean
}

// Every package directory under node_modules (scoped and nested ones included).
const packagesIn = (nodeModules: string): ReadonlyArray<Installed> => {
  const out: Array<Installed> = []
  const visit = (dir: string, scope: string): void => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue
      const full = path.join(dir, entry.name)
      if (scope === "" && entry.name.startsWith("@")) {
        visit(full, entry.name)
        continue
      }
      const manifest = path.join(full, "package.json")
      if (!fs.existsSync(manifest)) continue
      const { scripts } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { scripts?: Record<string, string> }
      out.push({
        name: scope === "" ? entry.name : `${scope}/${entry.name}`,
        dir: full,
        hasInstallScript: ["preinstall", "install", "postinstall"].some((hook) => scripts?.[hook] !== undefined)
      })
      visit(path.join(full, "node_modules"), "")
    }
  }
  visit(nodeModules, "")
  return out
}

// The disk space `dir` takes (as `du` counts it: whole blocks, directories included), the bytes
// its files hold, and the .node files among them.
const walk = (dir: string): { disk: number; bytes: number; nativeAddons: Array<string> } => {
  let disk = 0
  let bytes = 0
  const nativeAddons: Array<string> = []
  const visit = (current: string): void => {
    disk += fs.statSync(current).blocks * 512
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) visit(full)
      else if (entry.isFile()) {
        const stat = fs.statSync(full)
        disk += stat.blocks * 512
        bytes += stat.size
        if (entry.name.endsWith(".node")) nativeAddons.push(path.relative(dir, full))
      }
    }
  }
  visit(dir)
  return { disk, bytes, nativeAddons }
}

const smokeTest = `
import * as http from "node:http"
import { FuturesSession } from "requests-futures"
import * as Core from "@requests-futures/core"
const server = http.createServer((_, res) => res.end("ok")).listen(0, "127.0.0.1")
await new Promise((resolve) => server.once("listening", resolve))
const session = new FuturesSession()
const response = await session.get("http://127.0.0.1:" + server.address().port + "/")
await session.close()
server.close()
const internal = await import("@requests-futures/core/Session").then(() => "importable", (error) => error.code)
console.log("smoke test: GET " + response.statusCode + " " + response.text + "; core " + Core.version + "; @requests-futures/core/Session: " + internal)
`

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "requests-futures-pack-"))
try {
  const tarballs = published.map((pkg) => {
    const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", temp], path.join(root, pkg))) as Array<{
      filename: string
      size: number
      unpackedSize: number
    }>
    console.log(`packed  ${packed!.filename}: ${kb(packed!.size)} (${kb(packed!.unpackedSize)} unpacked)`)
    return path.join(temp, packed!.filename)
  })

  const project = path.join(temp, "project")
  fs.mkdirSync(project)
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "pack-size", private: true }))
  npm(["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], project)

  // The installed packages work on their own: the facade sends a request, and the core's entry is
  // its only way in.
  const smoke = execFileSync(process.execPath, ["--input-type=module", "-e", smokeTest], {
    cwd: project,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  console.log(smoke.trim())

  const nodeModules = path.join(project, "node_modules")
  const { disk, bytes, nativeAddons } = walk(nodeModules)
  const installed = packagesIn(nodeModules)
  const withScripts = installed.filter((pkg) => pkg.hasInstallScript).map((pkg) => pkg.name)
  const present = unwanted.filter((name) => installed.some((pkg) => pkg.name === name))
  const biggest = installed
    .map((pkg) => ({ name: pkg.name, disk: walk(pkg.dir).disk }))
    .sort((a, b) => b.disk - a.disk)
    .slice(0, 5)

  console.log(`installed node_modules: ${mb(disk)} on disk (${mb(bytes)} of files)`)
  console.log(`packages: ${installed.length}`)
  console.log(`install scripts: ${withScripts.length === 0 ? "none" : withScripts.join(", ")}`)
  console.log(`native add-ons (.node): ${nativeAddons.length === 0 ? "none" : nativeAddons.join(", ")}`)
  console.log(`${unwanted.join(", ")}: ${present.length === 0 ? "none" : present.join(", ")}`)
  console.log(`largest: ${biggest.map((pkg) => `${pkg.name} ${mb(pkg.disk)}`).join(", ")}`)
} finally {
  fs.rmSync(temp, { recursive: true, force: true })
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`
}

function kb(bytes: number): string {
  return `${(bytes / 1e3).toFixed(0)} kB`
}
