/**
 * The memory check of streamed downloads: 256 MiB (or `MIB=...`) with `stream: true` through the
 * facade's `iterContent()` and the core's `Response.iterContent`, against the embedded httpbin's
 * `/zeros/:n`, printing the RSS before, the peak growth while reading (after a 16 MiB warm-up read), and the throughput. The httpbin server
 * runs in the same process, so its buffers count too. Run with
 * `npm run bench:stream-memory`; the bar is a growth below 64 MiB.
 */
import { Response as CoreResponse, Session as CoreSession } from "@requests-futures/core"
import { startHttpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Session } from "requests-futures"

const MIB = 1024 * 1024
const server = await startHttpbin()
const size = Number(process.env["MIB"] ?? 256) * MIB

const measure = async (label: string, read: (url: string, onChunk: (bytes: number) => void) => Promise<void>) => {
  // A first pass of 16 MiB warms the code and the heap up: what is measured is the growth of the read.
  await read(`${server.url}/zeros/${16 * MIB}`, () => {})
  const before = process.memoryUsage().rss
  let peak = before
  let total = 0
  let sinceLook = 0
  const started = performance.now()
  await read(`${server.url}/zeros/${size}`, (bytes) => {
    total += bytes
    sinceLook += bytes
    if (sinceLook >= MIB) {
      sinceLook = 0
      peak = Math.max(peak, process.memoryUsage().rss)
    }
  })
  const seconds = (performance.now() - started) / 1000
  if (total !== size) throw new Error(`${label}: read ${total} bytes, expected ${size}`)
  console.log(
    `${label.padEnd(32)} ${(size / MIB).toFixed(0)} MiB  rss before ${(before / MIB).toFixed(1)} MiB  ` +
      `peak growth ${((peak - before) / MIB).toFixed(1)} MiB  ${(size / MIB / seconds).toFixed(0)} MiB/s`
  )
}

try {
  await measure("core Response.iterContent", (url, onChunk) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const core = yield* CoreSession.make()
        const response = yield* core.get(url, { stream: true })
        yield* Stream.runForEach(CoreResponse.iterContent(response), (chunk) => Effect.sync(() => onChunk(chunk.byteLength)))
      }).pipe(Effect.scoped)
    ))
  await using session = new Session()
  await measure("facade iterContent()", async (url, onChunk) => {
    const response = await session.get(url, { stream: true })
    for await (const chunk of response.iterContent()) onChunk(chunk.byteLength)
  })
} finally {
  await server.close()
}
