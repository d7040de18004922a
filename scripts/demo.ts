/**
 * `npm run demo`: the README's examples against the embedded httpbin, with timings.
 * Ends by itself: every session, the executor and the server are closed.
 */
import { startHttpbin } from "@requests-futures/httpbin"
import {
  asCompleted,
  CancelledError,
  ConnectionError,
  Executor,
  FuturesSession,
  HTTPError,
  InvalidURL,
  type RequestError,
  RequestException,
  Session,
  Timeout
} from "requests-futures"
import * as net from "node:net"

const started = performance.now()
const since = (start: number) => `${Math.round(performance.now() - start)} ms`
const section = (title: string) => console.log(`\n── ${title}`)

const server = await startHttpbin()
const base = server.url
console.log(`embedded httpbin at ${base}`)

try {
  // ------------------------------------------------------------------------------------------------
  section("1. Four requests (two take 0.4 s): one after another with Session, then as futures")
  const urls = [`${base}/delay/0.4`, `${base}/get`, `${base}/delay/0.4?foo=bar`, `${base}/get?foo=bar`]

  const sequentialStart = performance.now()
  {
    await using session = new Session()
    for (const url of urls) {
      const response = await session.get(url)
      console.log(`   Session        ${response.statusCode} ${response.url.slice(base.length)}`)
    }
  }
  const sequential = since(sequentialStart)

  const futuresStart = performance.now()
  {
    await using session = new FuturesSession()
    // every request starts in the background at once (2 workers); then we wait for each
    const futures = urls.map((url) => session.get(url))
    for (const future of futures) {
      const response = await future.result()
      console.log(`   FuturesSession ${response.statusCode} ${response.url.slice(base.length)}`)
    }
  }
  console.log(`   sequential: ${sequential}, futures (2 workers): ${since(futuresStart)}`)

  // ------------------------------------------------------------------------------------------------
  section("2. An executor of 10 workers, shared, over 20 requests to /delay/0.5")
  const executor = new Executor({ maxWorkers: 10 })
  {
    await using session = new FuturesSession({ executor })
    const batchStart = performance.now()
    const futures = Array.from({ length: 20 }, (_, i) => session.get(`${base}/delay/0.5?i=${i}`))
    let done = 0
    for await (const future of asCompleted(futures, { timeout: 30_000 })) {
      done++
      const bar = "#".repeat(done).padEnd(20, ".")
      const error = await future.exception()
      const response = error === null ? await future.result() : undefined
      const detail = response !== undefined
        ? `#${new URL(response.url).searchParams.get("i")} queued ${Math.round(response.timings.queued)} ms`
        : error?._tag
      const line = `   [${bar}] ${String(done).padStart(2)}/20 at ${since(batchStart).padStart(7)}  ${detail}`
      if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === 20 ? "\n" : ""}`)
      else if (done % 5 === 0 || done === 1) console.log(line)
    }
    console.log(`   20 requests in ${since(batchStart)} (sequentially: 10 s); ${JSON.stringify(executor.stats())}`)
  }
  await executor.shutdown()

  // ------------------------------------------------------------------------------------------------
  section("3. The background callback parses the JSON in the worker, before the future resolves")
  {
    await using session = new FuturesSession()
    const future = session.get(`${base}/get?lang=ts`, {
      backgroundCallback: (_sess, resp) => {
        resp.data = resp.json()
      }
    })
    const response = await future
    console.log(`   response.data.args = ${JSON.stringify((response.data as { args: unknown }).args)}`)
  }

  // ------------------------------------------------------------------------------------------------
  section("4. Cancellation: one worker, a long request running and one queued behind it")
  {
    await using session = new FuturesSession({ maxWorkers: 1 })
    const running = session.get(`${base}/delay/5`, { headers: { "X-Track-Id": "demo-running" } })
    const queued = session.get(`${base}/get`, { headers: { "X-Track-Id": "demo-queued" } })
    await server.waitForRequest("demo-running")
    console.log(`   states: running=${running.state}, queued=${queued.state}`)
    console.log(`   queued.cancel() → ${queued.cancel()}; running.cancel() → ${running.cancel()}`)
    const socketClosed = await server.waitForClientClose("demo-running", 2000)
    const outcome = await running.settle()
    const error = outcome.ok ? undefined : outcome.error
    console.log(`   the server saw the running request's socket close: ${socketClosed}`)
    console.log(`   the queued request never reached the server: ${server.requestInfo("demo-queued") === undefined}`)
    console.log(`   awaiting it: ${error instanceof CancelledError ? `CancelledError (wasRunning: ${error.wasRunning})` : "?"}`)
  }

  // ------------------------------------------------------------------------------------------------
  section("5. Typed errors: instanceof and _tag")
  {
    await using session = new FuturesSession({ maxWorkers: 4 })
    const refused = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo
        probe.close(() => resolve(port))
      })
    })
    // the four start at once; a future makes no promise until it is awaited, so none goes unhandled
    const slow = session.get(`${base}/delay/2`, { timeout: 300 })
    const nobody = session.get(`http://127.0.0.1:${refused}/`)
    const missing = session.get(`${base}/status/404`)
    const hostless = session.get("http://")
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["/delay/2 with timeout 300 ms", () => slow.result()],
      ["a port nobody listens on", () => nobody.result()],
      ["/status/404, raiseForStatus()", () => missing.then((r) => r.raiseForStatus())],
      ['"http://"', () => hostless.result()]
    ]
    for (const [what, attempt] of attempts) {
      try {
        await attempt()
        console.log(`   ${what}: no error?`)
      } catch (error) {
        if (error instanceof Timeout) console.log(`   ${what}: ${error._tag} after ${error.timeoutMs} ms`)
        else if (error instanceof ConnectionError) console.log(`   ${what}: ConnectionError — ${error.message}`)
        else if (error instanceof HTTPError) console.log(`   ${what}: HTTPError ${error.response.statusCode} ${error.response.reason}`)
        else if (error instanceof InvalidURL) console.log(`   ${what}: InvalidURL (${error.reason})`)
        else throw error
      }
    }
    // the same with settle(): never rejects, the error typed as the union of what a request can fail with
    const outcome = await session.get(`${base}/fault/reset-mid-body`).settle()
    if (!outcome.ok) {
      const error: RequestError | CancelledError = outcome.error
      switch (error._tag) {
        case "ChunkedEncodingError":
          console.log(`   /fault/reset-mid-body via settle(): ${error._tag}, a RequestException: ${error instanceof RequestException}`)
          break
        default:
          console.log(`   /fault/reset-mid-body via settle(): unexpected ${error._tag}`)
      }
    }
  }
} finally {
  await server.close()
}
console.log(`\ndemo done in ${since(started)}`)
