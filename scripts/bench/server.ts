/**
 * The server under the clients, in its own process: Debian's nginx when installed (the fastest
 * static server we can get, so the client is the bottleneck), else the embedded httpbin through
 * server-httpbin.ts. Either way the runner can ask how many connections it has accepted.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { once } from "node:events"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { builtScript } from "./build-processes.js"
import { httpGet } from "./http-get.js"
import type { HttpbinMessage } from "./server-httpbin.js"

export const NGINX = "/usr/sbin/nginx"
export const LARGE_BODY_BYTES = 64 * 1024

export interface BenchServer {
  /** For the report, e.g. "nginx/1.22.1" or "@requests-futures/httpbin". */
  readonly description: string
  readonly urls: { readonly small: string; readonly large: string }
  /** Connections the server has accepted so far, not counting the runner's own queries; undefined when unknown. */
  readonly accepted: () => Promise<number | undefined>
  readonly stop: () => Promise<void>
  /** Last resort from a process "exit" handler, where nothing async runs any more. */
  readonly killNow: () => void
}

export type ServerChoice = "auto" | "nginx" | "httpbin"

export const startServer = async (choice: ServerChoice, cpu: string | undefined): Promise<BenchServer> => {
  if (choice === "nginx" || (choice === "auto" && existsSync(NGINX))) return startNginx(cpu)
  return startHttpbin(cpu)
}

const freePort = async (): Promise<number> => {
  const probe = createServer()
  probe.listen(0, "127.0.0.1")
  await once(probe, "listening")
  const address = probe.address()
  probe.close()
  if (address === null || typeof address === "string") throw new Error("could not pick a free port")
  return address.port
}

const pinned = (cpu: string | undefined, argv: ReadonlyArray<string>): [string, Array<string>] =>
  cpu === undefined ? [argv[0] ?? "", argv.slice(1)] : ["taskset", ["-c", cpu, ...argv]]

/** Signals the child's whole process group (it was spawned detached); quiet if it is gone already. */
const killGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already exited
  }
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

const waitForExit = async (child: ChildProcess, timeoutMs: number): Promise<void> => {
  if (exited(child)) return
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeoutMs)
  await once(child, "exit")
  clearTimeout(timer)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `ready` holds, failing early with `why()` if the child dies first. */
const waitUntilReady = async (child: ChildProcess, ready: () => Promise<boolean>, why: () => string) => {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`server exited early: ${why()}`)
    if (await ready().catch(() => false)) return
    await sleep(50)
  }
  throw new Error(`server not ready within 10 s: ${why()}`)
}

const nginxConfig = (dir: string, port: number): string => `
# Written by scripts/bench/server.ts for one benchmark run.
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  # Clients keep their connections for a whole run; nginx must never be the one closing them.
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  sendfile on;
  tcp_nodelay on;
  types { application/json json; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    location = /nginx_status { stub_status; }
  }
}
`

// ~200 bytes, like a typical small API response.
const SMALL_JSON = JSON.stringify({
  slideshow: {
    author: "Yours Truly",
    date: "date of publication",
    title: "Sample Slide Show",
    slides: [{ title: "Wake up to WonderWidgets!", type: "all" }, { title: "Overview", type: "all" }]
  }
}) + "\n"

const startNginx = async (cpu: string | undefined): Promise<BenchServer> => {
  // nginx -V prints its version and configure flags on stderr.
  const buildInfo = spawnSync(NGINX, ["-V"], { encoding: "utf8" }).stderr
  if (!buildInfo.includes("http_stub_status_module")) {
    throw new Error(`${NGINX} lacks http_stub_status_module, needed to count accepted connections`)
  }
  const versionLine = /nginx version: (\S+)/.exec(buildInfo)?.[1] ?? "nginx"

  const dir = mkdtempSync(join(tmpdir(), "bench-nginx-"))
  // nginx started as root serves from a worker running as "nobody", which must be able to read the files.
  chmodSync(dir, 0o755)
  mkdirSync(join(dir, "www"), { mode: 0o755 })
  mkdirSync(join(dir, "tmp"), { mode: 0o755 })
  writeFileSync(join(dir, "www", "small.json"), SMALL_JSON, { mode: 0o644 })
  const large = Buffer.alloc(LARGE_BODY_BYTES)
  for (let i = 0; i < large.length; i++) large[i] = (i * 7919) & 0xff
  writeFileSync(join(dir, "www", "large.bin"), large, { mode: 0o644 })

  const port = await freePort()
  const configPath = join(dir, "nginx.conf")
  writeFileSync(configPath, nginxConfig(dir, port))

  const base = `http://127.0.0.1:${port}`
  // -e keeps nginx from touching /var/log/nginx/error.log before it has read our config.
  const [program, args] = pinned(cpu, [NGINX, "-p", dir, "-c", configPath, "-e", join(dir, "error.log")])
  // Its own process group, so one kill reaches the worker too: a worker whose master was SIGKILLed lives on.
  const child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"], detached: true })
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const errorLog = () => {
    const log = existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : ""
    return `${stderr}${log}`.trim() || "(no output)"
  }

  // Each answered status query was itself one accepted connection (counted in its own answer);
  // subtract them so deltas count only the clients'.
  let answeredQueries = 0
  const readAccepts = async (): Promise<number> => {
    const { status, body } = await httpGet(`${base}/nginx_status`)
    // "Active connections: 1 \nserver accepts handled requests\n 12 12 340 \n..."
    const accepts = /server accepts handled requests\s+(\d+)/.exec(body.toString())?.[1]
    if (status !== 200 || accepts === undefined) throw new Error(`bad stub_status answer: ${status} ${body}`)
    answeredQueries++
    return Number(accepts) - answeredQueries
  }

  const stop = async () => {
    killGroup(child, "SIGTERM") // fast shutdown of master and worker
    await waitForExit(child, 5000)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitUntilReady(child, async () => (await httpGet(`${base}/small.json`)).status === 200, errorLog)
  } catch (error) {
    await stop()
    throw error
  }

  return {
    description: versionLine,
    urls: { small: `${base}/small.json`, large: `${base}/large.bin` },
    accepted: readAccepts,
    stop,
    killNow: () => {
      killGroup(child, "SIGKILL")
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

const isHttpbinMessage = (value: unknown): value is HttpbinMessage =>
  typeof value === "object" && value !== null && "type" in value && typeof value.type === "string"

const startHttpbin = async (cpu: string | undefined): Promise<BenchServer> => {
  const port = await freePort()
  const [program, args] = pinned(cpu, [process.execPath, builtScript("server-httpbin.ts"), "--port", String(port)])
  // taskset execs node, which still finds the IPC channel through the inherited fd and NODE_CHANNEL_FD.
  const child = spawn(program, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true })

  const messages: Array<HttpbinMessage> = []
  let waiter: (() => void) | undefined
  child.on("message", (message: unknown) => {
    if (isHttpbinMessage(message)) messages.push(message)
    waiter?.()
  })
  child.on("exit", () => waiter?.())
  const next = async (): Promise<HttpbinMessage> => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const message = messages.shift()
      if (message !== undefined) return message
      if (exited(child)) throw new Error("httpbin wrapper exited")
      if (Date.now() > deadline) throw new Error("httpbin wrapper did not answer within 15 s")
      await new Promise<void>((resolve) => {
        waiter = resolve
        setTimeout(resolve, 1000)
      })
      waiter = undefined
    }
  }

  const first = await next().catch((error: unknown) => ({ type: "error" as const, message: String(error) }))
  if (first.type !== "ready") {
    killGroup(child, "SIGKILL")
    throw new Error(`httpbin fallback failed: ${first.type === "error" ? first.message : "unexpected message"}`)
  }

  const base = `http://127.0.0.1:${port}`
  return {
    description: "@requests-futures/httpbin",
    urls: { small: `${base}/json`, large: `${base}/bytes/${LARGE_BODY_BYTES}` },
    accepted: async () => {
      child.send({ type: "stats" })
      const answer = await next()
      return answer.type === "stats" && answer.accepted !== null ? answer.accepted : undefined
    },
    stop: async () => {
      killGroup(child, "SIGTERM")
      await waitForExit(child, 5000)
    },
    killNow: () => killGroup(child, "SIGKILL")
  }
}
