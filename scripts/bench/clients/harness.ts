/**
 * The part every Node client shares: argv parsing, warm-up, the timed batch and the one JSON line
 * the runner reads back. A client only says how to issue `count` GETs with at most C in flight.
 *
 * argv: URL N C EXPECTED_LENGTH [--warmup W] [--warmup-ms T] [--probe]
 *
 * Warm-up is batches of W requests (the runner passes the timed N: the same work as the timed batch)
 * until T ms have passed, at least one: a fixed count either leaves a fast client's JIT cold
 * (200 requests take undici ~10 ms) or costs a slow client seconds.
 */

export interface ClientArgs {
  readonly url: string
  readonly requests: number
  readonly concurrency: number
  readonly expectedLength: number
  readonly warmup: number
  readonly warmupMs: number
}

/** Counts failures; the first message is kept so an invalid run says why. */
export class Tally {
  errors = 0
  firstError: string | undefined = undefined

  constructor(private readonly expectedLength: number) {}

  check(status: number, length: number): void {
    if (status !== 200) this.fail(`status ${status}`)
    else if (length !== this.expectedLength) this.fail(`body ${length} bytes, expected ${this.expectedLength}`)
  }

  fail(cause: unknown): void {
    this.errors++
    this.firstError ??= cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  }
}

export interface ClientRunner {
  /** Issues `count` GETs of the URL with at most C in flight, recording each outcome in `tally`. */
  readonly batch: (count: number, tally: Tally) => Promise<void>
  readonly close: () => Promise<void>
}

/** The line the runner (client-process.ts) parses; clients/python_requests_futures.py prints the same. */
export type ClientReport =
  | {
      readonly kind: "result"
      readonly requests: number
      readonly rps: number
      readonly cpuMsPerReq: number
      readonly peakRssKiB: number
      readonly errors: number
      readonly firstError: string | null
    }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "probe-ok" }

/** Thrown by a client's setup when its library is missing, so the runner skips it instead of failing. */
export class ClientUnavailable extends Error {}

const report = (line: ClientReport): void => {
  process.stdout.write(JSON.stringify(line) + "\n")
}

const parseArgs = (argv: ReadonlyArray<string>): ClientArgs & { readonly probe: boolean } => {
  const positional: Array<string> = []
  let warmup = 200
  let warmupMs = 500
  let probe = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "--probe") probe = true
    else if (arg === "--warmup") warmup = Number(argv[++i])
    else if (arg === "--warmup-ms") warmupMs = Number(argv[++i])
    else if (arg !== undefined) positional.push(arg)
  }
  const [url, requests, concurrency, expectedLength] = positional
  const numbers = [Number(requests), Number(concurrency), Number(expectedLength), warmup, warmupMs]
  if (url === undefined || numbers.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`usage: <client> URL N C EXPECTED_LENGTH [--warmup W] [--warmup-ms T] [--probe], got ${argv.join(" ")}`)
  }
  return {
    url,
    requests: Number(requests),
    concurrency: Number(concurrency),
    expectedLength: Number(expectedLength),
    warmup,
    warmupMs,
    probe
  }
}

/** C workers pulling from one counter: a semaphore of C without allocating N promises up front. */
export const runLimited = async (
  count: number,
  concurrency: number,
  task: () => Promise<void>
): Promise<void> => {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

/**
 * The futures of a batch in submission order, each released from the array as it is handed out.
 * Every client drops a response once it has checked it (undici, fetch, axios, got through
 * `runLimited`); a futures client that kept the whole array alive would also keep every body until
 * the batch ends (1,000 × 64 KiB), and measure that retention rather than its requests.
 */
export function* consumeInOrder<F>(futures: Array<F | undefined>): Generator<F> {
  for (let i = 0; i < futures.length; i++) {
    const future = futures[i] as F
    futures[i] = undefined
    yield future
  }
}

const main = async (make: (args: ClientArgs) => Promise<ClientRunner>): Promise<void> => {
  const args = parseArgs(process.argv.slice(2))
  let runner: ClientRunner
  try {
    runner = await make(args)
  } catch (error) {
    if (error instanceof ClientUnavailable) {
      report({ kind: "skip", reason: error.message })
      return
    }
    throw error
  }
  if (args.probe) {
    await runner.close()
    report({ kind: "probe-ok" })
    return
  }

  // Warm-up failures count too: a client that cannot even warm up must not look valid.
  const tally = new Tally(args.expectedLength)
  const warmupUntil = Date.now() + args.warmupMs
  do await runner.batch(args.warmup, tally)
  while (Date.now() < warmupUntil)

  const cpuBefore = process.cpuUsage()
  const started = process.hrtime.bigint()
  await runner.batch(args.requests, tally)
  const elapsedNs = Number(process.hrtime.bigint() - started)
  const cpu = process.cpuUsage(cpuBefore)

  await runner.close()
  report({
    kind: "result",
    requests: args.requests,
    rps: args.requests / (elapsedNs / 1e9),
    cpuMsPerReq: (cpu.user + cpu.system) / 1000 / args.requests,
    // resourceUsage().maxRSS is in KiB, like Python's ru_maxrss on Linux.
    peakRssKiB: process.resourceUsage().maxRSS,
    errors: tally.errors,
    firstError: tally.firstError ?? null
  })
}

/**
 * Entry point of every Node client. Exits explicitly because a keep-alive agent that a library does
 * not let us close would otherwise keep the process, and so the runner, waiting.
 */
export const runClient = (make: (args: ClientArgs) => Promise<ClientRunner>): void => {
  main(make).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
