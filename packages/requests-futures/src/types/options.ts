import type {
  Auth as CoreAuth,
  Background as CoreBackground,
  Executor as CoreExecutor,
  Headers as CoreHeaders,
  Request as CoreRequest,
  Retry as CoreRetry,
  Transport as CoreTransport
} from "@requests-futures/core"
import type { Executor } from "../Executor.js"
import type { FuturesSession } from "../FuturesSession.js"
import type { Response } from "../Response.js"
import type { Session } from "../Session.js"
import type { WorkerPool } from "../workers.js"

/** Query parameters: a record (an array value repeats the key; `undefined` and `null` are dropped) or pairs. */
export type Params = CoreRequest.Params

/**
 * A request body: form fields (url-encoded, or multipart next to `files`), a string or bytes sent as is,
 * a `Blob` or a file (`fs.openAsBlob`, read as it is sent, with its `Content-Length`), or a stream
 * (`ReadableStream`, Node `Readable`, async iterable of bytes: sent chunked, once only).
 */
export type Data = CoreRequest.Data

/**
 * Multipart files: field name → content (`Uint8Array`, `Blob`, string, or a stream) or
 * `{ filename, content, contentType }`. Blobs and streams are read as they are sent.
 */
export type Files = CoreRequest.Files

/**
 * How far a body has gone: bytes so far, and `total` and `percent` (0 to 100) when its length is known.
 */
export type Progress = CoreRequest.Progress

/** A body read as it is sent: a web `ReadableStream`, a Node `Readable` or any async iterable of bytes. */
export type StreamSource = CoreRequest.StreamSource

/** Headers to send: a record (a name set to `undefined` or `null` removes a session header), pairs, or `Headers`. */
export type HeadersInit = CoreHeaders.HeadersInput

/**
 * Credentials: a `[username, password]` pair (Basic), `new BasicAuth(user, pass)`, `new BearerAuth(token)`,
 * `new DigestAuth(user, pass)`, or a function that returns the prepared request with credentials added.
 */
export type Auth = CoreAuth.Auth

/** Cookies: a `CookieJar`, or name → value pairs. */
export type CookiesInit = CoreRequest.CookiesInput

/**
 * A timeout in milliseconds for both phases, or each: `connect` (to get a connection) and `read`
 * (the longest wait for the next byte, before the headers and between body bytes), as requests'
 * `(connect, read)` tuple. No timeout by default, as in requests; `null` or `Infinity` (the whole, or
 * `connect` / `read`) is none. A negative number, `NaN` or another key is an `InvalidOption`.
 */
export type TimeoutOption = CoreRequest.TimeoutInput

/** TLS verification: `true` (default), `false`, or `{ ca }` with your own CA bundle (PEM). */
export type Verify = CoreTransport.Verify

/** A client certificate and key (PEM) for mutual TLS. */
export type ClientCert = CoreTransport.ClientCert

/** Proxy URLs by scheme, as requests' `proxies`, and the hosts that bypass them. */
export type Proxies = CoreTransport.Proxies

/**
 * Retries (urllib3's `Retry`): a number of retries, or a policy. Only idempotent methods are retried
 * (and never a body that cannot be sent twice), on connection errors, timeouts and the statuses 408,
 * 429, 500, 502, 503, 504. Before retry `n` the wait is random between 0 and
 * `min(maxDelay, backoff * 2^n)` ms ("full jitter"), or the server's `Retry-After` (capped by
 * `maxDelay`). The failed attempts are listed in `response.retries`; when they run out on a status:
 * `RetryError` (with `attempts`); on an error: that error.
 */
export type RetryOption = CoreRetry.RetryInput

/**
 * One attempt that failed and was retried (or, last in `RetryError.attempts`, given up on): its
 * `status` or its `error` (the error's `_tag`: "ConnectionError", "ConnectTimeout", "ReadTimeout"), and
 * `waitedMs`, the delay before the next attempt (0 after the last).
 */
export type RetryAttempt = CoreRetry.RetryAttempt

/**
 * A response hook: runs in the worker (for a `FuturesSession`) after the response is read, in order,
 * before the future resolves. A returned `Response` replaces the response; a throw or a rejected promise
 * fails the request with `HookError` (or with the thrown `RequestException` itself, e.g. `raiseForStatus()`'s).
 */
export type ResponseHook = (response: Response) => Response | void | Promise<Response | void>

/** Hooks, as requests' `hooks={"response": [...]}`. */
export interface Hooks {
  readonly response?: ResponseHook | ReadonlyArray<ResponseHook> | undefined
}

/**
 * requests-futures' `background_callback`: runs in the worker after the response hooks, before the future
 * resolves, so that heavy work (parsing JSON) is done off the caller's path. A returned `Response`
 * replaces the result; a throw or a rejected promise fails the future with `HookError`.
 */
export type BackgroundCallback = (
  session: FuturesSession,
  response: Response
) => Response | void | Promise<Response | void>

/**
 * Work on the body in a worker thread, off the event loop; the result lands on `response.data`:
 * `{ parse: "json" }`, `{ schema: { module, export } }` (an effect `Schema` that module exports, decoded
 * there) or `{ module, export }` (a function that module exports, called with the body). Only what a
 * thread can import can run there: `module` is a `file:` URL or an absolute path, never a closure.
 */
export type Background = CoreBackground.Background

/** What a function given as `background: { module, export }` receives, in its worker thread. */
export type BackgroundInput = CoreBackground.Input

/** Where a done-callback that threw is reported. */
export type ErrorReporter = (error: unknown) => void

/** The settings of a `Session` (and of a `FuturesSession`), merged into each of its requests. */
export interface SessionOptions {
  /**
   * Headers sent with every request, merged over the defaults (`User-Agent`, `Accept-Encoding`,
   * `Accept`); a name set to `undefined` or `null` removes a default. Change them later with `session.headers`.
   *
   * @example
   * ```ts
   * new Session({ headers: { "X-Client": "docs", "User-Agent": "my-app/1.0" } })
   * ```
   */
  readonly headers?: HeadersInit | undefined
  /**
   * Query parameters added to every request; a request's `params` replace those of the same name.
   *
   * @example
   * ```ts
   * new Session({ params: { apiKey: "k" } })
   * ```
   */
  readonly params?: Params | undefined
  /**
   * Credentials for every request (a request's `auth` replaces them, `auth: null` sends none). They are
   * dropped on a redirect to another host.
   *
   * @example
   * ```ts
   * new Session({ auth: ["ada", "secret"] })
   * new Session({ auth: new BearerAuth(token) })
   * ```
   */
  readonly auth?: Auth | undefined
  /**
   * The session's cookie jar, or cookies to start one with. Cookies the server sets land in it
   * (`session.cookies`) and are sent back by domain and path.
   *
   * @example
   * ```ts
   * new Session({ cookies: { theme: "dark" } })
   * ```
   */
  readonly cookies?: CookiesInit | undefined
  /**
   * The default timeout of every request, in milliseconds (see {@link TimeoutOption}).
   *
   * @example
   * ```ts
   * new Session({ timeout: 5_000 })
   * new Session({ timeout: { connect: 1_000, read: 10_000 } })
   * ```
   */
  readonly timeout?: TimeoutOption | undefined
  /**
   * The most redirects a request follows before `TooManyRedirects` (default 30, as requests): an
   * integer >= 0.
   *
   * @example
   * ```ts
   * new Session({ maxRedirects: 5 })
   * ```
   */
  readonly maxRedirects?: number | undefined
  /**
   * Follow redirects from https to plain http (default true, as requests). Such a hop never carries
   * credentials or cookies; `false` refuses it with `InsecureRedirect`. A request's setting overrides it.
   *
   * @example
   * ```ts
   * new Session({ allowDowngrade: false })
   * ```
   */
  readonly allowDowngrade?: boolean | undefined
  /**
   * Response hooks of every request; those of a request run after them. Add more later with
   * `session.hooks.response.push(hook)`.
   *
   * @example
   * ```ts
   * new Session({ hooks: { response: (response) => { response.raiseForStatus() } } })
   * ```
   */
  readonly hooks?: Hooks | undefined
  /**
   * Leave every response's body unread until you iterate it (`response.iterContent()`); default false.
   *
   * @example
   * ```ts
   * new Session({ stream: true })
   * ```
   */
  readonly stream?: boolean | undefined
  /**
   * The most bytes a body may have, as received and once decoded (gzip, deflate, br): past it the
   * request, or the read of a streamed body, rejects with `BodyTooLarge` and the connection is closed,
   * so a compression bomb never expands in memory. Default: 1 GiB for a body read whole, none for a
   * streamed body read chunk by chunk; `Infinity` or `null`: none. A request's own wins.
   *
   * @example
   * ```ts
   * new Session({ maxBodySize: 10 * 1024 * 1024 })
   * ```
   */
  readonly maxBodySize?: number | null | undefined
  /**
   * A `FuturesSession`'s `stream: true` request gives its worker back when the headers arrive, as Python's
   * requests-futures does. By default it keeps its worker (and host) slot until its body is read, closed
   * or let go, so `maxWorkers` bounds the transfers really running. A request's own wins.
   *
   * @example
   * ```ts
   * new FuturesSession({ maxWorkers: 4, releaseSlotAtHeaders: true })
   * ```
   */
  readonly releaseSlotAtHeaders?: boolean | undefined
  /**
   * Retries for every request; none by default, as requests (see {@link RetryOption}).
   *
   * @example
   * ```ts
   * new Session({ retry: 3 })
   * new Session({ retry: { limit: 5, backoff: 200, statusCodes: [503] } })
   * ```
   */
  readonly retry?: RetryOption | undefined
  /**
   * The most connections kept open to one host (default 16; for a `FuturesSession`, its executor's
   * `maxWorkers`). A request waits for a free one, within its connect timeout.
   *
   * @example
   * ```ts
   * new Session({ connections: 4 })
   * ```
   */
  readonly connections?: number | undefined
  /**
   * TLS certificate verification: on by default; `false` to turn it off (test servers only), or a CA bundle.
   *
   * @example
   * ```ts
   * new Session({ verify: { ca: readFileSync("my-ca.pem", "utf8") } })
   * ```
   */
  readonly verify?: Verify | undefined
  /**
   * A client certificate for mutual TLS.
   *
   * @example
   * ```ts
   * new Session({ cert: { cert: readFileSync("client.pem"), key: readFileSync("client.key") } })
   * ```
   */
  readonly cert?: ClientCert | undefined
  /**
   * Proxies by scheme. Without them, `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` are read (see `trustEnv`).
   *
   * @example
   * ```ts
   * new Session({ proxies: { http: "http://proxy:3128", https: "http://proxy:3128", noProxy: "localhost" } })
   * ```
   */
  readonly proxies?: Proxies | undefined
  /**
   * Read proxy settings from the environment (default true, as requests).
   *
   * @example
   * ```ts
   * new Session({ trustEnv: false })
   * ```
   */
  readonly trustEnv?: boolean | undefined
  /**
   * Cancels every request of the session when aborted: queued ones are never sent, running ones have
   * their socket closed, and later ones fail at once; each rejects with `CancelledError` (`reason:
   * "signal"`, `cause`: the signal's reason). A request's own `signal` applies as well.
   *
   * @example
   * ```ts
   * const controller = new AbortController()
   * const session = new FuturesSession({ signal: controller.signal })
   * controller.abort(new Error("shutting down"))
   * ```
   */
  readonly signal?: AbortSignal | undefined
}

/** The settings of a `FuturesSession`: those of a `Session`, and where its requests run. */
export interface FuturesSessionOptions extends SessionOptions {
  /**
   * How many requests run at once (default 2, as requests-futures). The connection pool keeps at most
   * this many connections per host. Ignored when `executor` is given.
   *
   * @example
   * ```ts
   * new FuturesSession({ maxWorkers: 10 })
   * ```
   */
  readonly maxWorkers?: number | undefined
  /**
   * Limits per host (origin), besides `maxWorkers`: `{ maxWorkers, rate: { limit, interval } }` for every
   * host, or a function of the origin for overrides. A request starts only when both its executor's and its
   * host's slots are free; hosts are served fairly (one slow host never holds the others up).
   *
   * @example
   * ```ts
   * new FuturesSession({ maxWorkers: 32, perHost: { maxWorkers: 4, rate: { limit: 10, interval: "1 second" } } })
   * ```
   */
  readonly perHost?: CoreExecutor.PerHost | undefined
  /**
   * Adaptive per host: a 429 (or a 503 with `Retry-After`) or a reset connection halves that host's
   * limit (not below 1) and pauses it until `Retry-After`; a run of successes grows it back (AIMD).
   */
  readonly adaptive?: boolean | undefined
  /**
   * The most requests queued at once (default: no bound). When full, `onFull` says what happens:
   * `"wait"` (default: the future waits to be admitted to the queue, in order), `"reject"` (the request
   * method throws `QueueFull`) or `"dropOldest"` (the oldest queued future is cancelled, reason `"dropped"`).
   */
  readonly maxQueued?: number | undefined
  readonly onFull?: CoreExecutor.OnFull | undefined
  /**
   * Milliseconds from a request to its answer, queue time, every attempt, the backoff between them and the
   * body included: past it the future fails with `DeadlineExceeded` (a `Timeout`) and its socket is closed.
   * A request's `deadline` overrides it. (`timeout` stays per attempt.)
   */
  readonly deadline?: number | undefined
  /**
   * An executor to run the requests on, shared with other sessions or your own work: the bound is
   * global to it. `close()` leaves it running; shut it down yourself.
   *
   * @example
   * ```ts
   * const executor = new Executor({ maxWorkers: 10 })
   * const a = new FuturesSession({ executor })
   * const b = new FuturesSession({ executor })
   * ```
   */
  readonly executor?: Executor | undefined
  /**
   * A `Session` to send with: its headers, cookies, auth, hooks and connection pool are used, live.
   * Settings given next to it (headers, auth, ...) are merged over the session's at construction
   * (unlike Python, which ignores them), into a session of its own that still shares the pool and
   * the cookie jar. `close()` leaves the given session open.
   *
   * @example
   * ```ts
   * const session = new Session({ auth: ["ada", "secret"] })
   * const futures = new FuturesSession({ session, maxWorkers: 4 })
   * ```
   */
  readonly session?: Session | undefined
  /**
   * The worker threads that run the requests' `background` work (`requests-futures/workers`), shared:
   * `close()` leaves it running, close it yourself.
   *
   * @example
   * ```ts
   * import { WorkerPool } from "requests-futures/workers"
   * const session = new FuturesSession({ workerPool: new WorkerPool({ workers: 2 }) })
   * ```
   */
  readonly workerPool?: WorkerPool | undefined
  /**
   * Where a done-callback (`future.addDoneCallback`) that threw is reported; default `console.error`.
   *
   * @example
   * ```ts
   * new FuturesSession({ onError: (error) => logger.warn(error) })
   * ```
   */
  readonly onError?: ErrorReporter | undefined
}

/** The options of one request, as requests' `Session.request` takes them. */
export interface RequestOptions {
  /**
   * Query parameters, appended to the URL's own.
   *
   * @example
   * ```ts
   * session.get(url, { params: { q: "tea", tags: ["green", "black"] } }) // ?q=tea&tags=green&tags=black
   * ```
   */
  readonly params?: Params | undefined
  /**
   * A form (sent url-encoded, or as multipart fields next to `files`), or a body sent as is.
   *
   * @example
   * ```ts
   * session.post(url, { data: { name: "Ada" } })
   * session.put(url, { data: "raw text" })
   * ```
   */
  readonly data?: Data | undefined
  /**
   * A value sent as JSON, with `Content-Type: application/json`.
   *
   * @example
   * ```ts
   * session.post(url, { json: { name: "Ada", langs: ["en"] } })
   * ```
   */
  readonly json?: unknown
  /**
   * Files sent as `multipart/form-data`.
   *
   * @example
   * ```ts
   * session.post(url, { files: { report: { filename: "r.csv", content: "a,b\n1,2", contentType: "text/csv" } } })
   * ```
   */
  readonly files?: Files | undefined
  /**
   * Headers merged over the session's; a name set to `undefined` or `null` removes the session's header.
   *
   * @example
   * ```ts
   * session.get(url, { headers: { Accept: "application/json", "User-Agent": undefined } })
   * ```
   */
  readonly headers?: HeadersInit | undefined
  /**
   * Cookies for this request only, over the session's (not stored in its jar).
   *
   * @example
   * ```ts
   * session.get(url, { cookies: { session: "abc" } })
   * ```
   */
  readonly cookies?: CookiesInit | undefined
  /**
   * Credentials for this request; `null` sends none even when the session (or the URL) has some.
   * Without either, credentials in the URL (`http://user:pass@host/`) are sent as Basic auth.
   *
   * @example
   * ```ts
   * session.get(url, { auth: new DigestAuth("ada", "secret") })
   * ```
   */
  readonly auth?: Auth | null | undefined
  /**
   * The timeout in milliseconds (see {@link TimeoutOption}); `ConnectTimeout` or `ReadTimeout` when it
   * expires. It replaces the session's: `null` or `Infinity` means none for this request.
   *
   * @example
   * ```ts
   * session.get(url, { timeout: 2_000 })
   * ```
   */
  readonly timeout?: TimeoutOption | undefined
  /**
   * Follow redirects (default true, false for HEAD, as requests). The redirects are in `response.history`.
   *
   * @example
   * ```ts
   * const response = await session.get(url, { allowRedirects: false }) // the 302 itself
   * ```
   */
  readonly allowRedirects?: boolean | undefined
  /**
   * The most redirects this request follows (the session's `maxRedirects` otherwise).
   *
   * @example
   * ```ts
   * session.get(url, { maxRedirects: 3 })
   * ```
   */
  readonly maxRedirects?: number | undefined
  /**
   * Follow a redirect from https to plain http (the session's setting otherwise; default true, as
   * requests). Such a hop never carries credentials or cookies; `false` refuses it with
   * `InsecureRedirect`, before anything is sent to the http URL.
   *
   * @example
   * ```ts
   * session.get("https://example.com/login", { allowDowngrade: false })
   * ```
   */
  readonly allowDowngrade?: boolean | undefined
  /**
   * Response hooks of this request, run after the session's.
   *
   * @example
   * ```ts
   * session.get(url, { hooks: { response: [(r) => { console.log(r.statusCode) }] } })
   * ```
   */
  readonly hooks?: Hooks | undefined
  /**
   * Retries for this request, over the session's (see {@link RetryOption}).
   *
   * @example
   * ```ts
   * session.get(url, { retry: { limit: 2, statusCodes: [503] } })
   * ```
   */
  readonly retry?: RetryOption | undefined
  /**
   * Leave the body unread until you iterate it (`response.iterContent()`).
   *
   * @example
   * ```ts
   * const response = await session.get(url, { stream: true })
   * for await (const chunk of response.iterContent()) process(chunk)
   * ```
   */
  readonly stream?: boolean | undefined
  /**
   * The most bytes the body may have, as received and once decoded: past it the request (or the read of a
   * streamed body) rejects with `BodyTooLarge`. Over the session's; default 1 GiB for a body read whole,
   * none for a streamed one; `Infinity` or `null`: none.
   *
   * @example
   * ```ts
   * await session.get(url, { maxBodySize: 1024 * 1024 })
   * ```
   */
  readonly maxBodySize?: number | null | undefined
  /** With `stream: true` in a `FuturesSession`: give the worker back at the headers (see `SessionOptions`). */
  readonly releaseSlotAtHeaders?: boolean | undefined
  /**
   * Called as the body arrives: `{ transferred, total?, percent? }` (bytes off the wire; `total` from
   * `Content-Length`), at most every 50 ms and once at the end. It must be quick; a throw rejects the
   * request with `HookError`.
   *
   * @example
   * ```ts
   * await session.get(url, { onDownloadProgress: ({ percent }) => console.log(percent) })
   * ```
   */
  readonly onDownloadProgress?: ((progress: Progress) => void) | undefined
  /** Called as the request body is sent, as `onDownloadProgress`. */
  readonly onUploadProgress?: ((progress: Progress) => void) | undefined
  /**
   * Cancels the request when aborted, as `fetch`'s `signal` (with the session's, if it has one; `null`
   * ignores the session's). Aborted already: it rejects at once and nothing is sent; queued in a
   * `FuturesSession`: it is never sent; running: its socket is closed. It rejects with `CancelledError`
   * (`reason: "signal"`, `cause`: the signal's reason). Its listener is removed once the request settles.
   *
   * @example
   * ```ts
   * const response = await session.get(url, { signal: AbortSignal.timeout(5_000) })
   * ```
   */
  readonly signal?: AbortSignal | null | undefined
}

/** The options of one request of a `FuturesSession`. */
export interface FuturesRequestOptions extends RequestOptions {
  /**
   * Runs in the worker once the response is read (after the hooks), before the future resolves.
   *
   * @example
   * ```ts
   * const future = session.get(url, { backgroundCallback: (sess, resp) => { resp.data = resp.json() } })
   * console.log((await future).data)
   * ```
   */
  readonly backgroundCallback?: BackgroundCallback | undefined
  /**
   * Work on the body in a thread of the session's `workerPool`, after the hooks and before the
   * `backgroundCallback` (see {@link Background}): the body's bytes move to the thread, the result comes
   * back on `response.data`, its time in `response.timings.background`. It runs in the request's worker
   * slot. A closure, a module file that does not exist, `stream: true` or a session without `workerPool`
   * make the request method throw `InvalidOption`; the work failing rejects the future (`JSONDecodeError`,
   * `SchemaDecodeError`, `BackgroundError`, or `WorkerCrashed` when its thread died).
   *
   * @example
   * ```ts
   * const future = session.get(url, { background: { parse: "json" } })
   * const parse = new URL("./parse.js", import.meta.url)
   * session.get(url, { background: { module: parse, export: "summarize" } })
   * ```
   */
  readonly background?: Background | undefined
  /** Higher first in the queue (FIFO within a priority). Default 0. */
  readonly priority?: number | undefined
  /** This request's deadline in milliseconds (see `FuturesSessionOptions.deadline`). */
  readonly deadline?: number | undefined
}

/** The settings of an `Executor`. */
export interface ExecutorOptions {
  /**
   * How many submitted functions run at once (default 2); the others wait in a FIFO queue.
   *
   * @example
   * ```ts
   * new Executor({ maxWorkers: 10 })
   * ```
   */
  readonly maxWorkers?: number | undefined
  /**
   * Limits per host (origin), besides `maxWorkers`: `{ maxWorkers, rate: { limit, interval } }` for every
   * host, or a function of the origin for overrides. A request starts only when both its executor's and its
   * host's slots are free; hosts are served fairly (one slow host never holds the others up).
   *
   * @example
   * ```ts
   * new Executor({ maxWorkers: 32, perHost: { maxWorkers: 4, rate: { limit: 10, interval: "1 second" } } })
   * ```
   */
  readonly perHost?: CoreExecutor.PerHost | undefined
  /**
   * Adaptive per host: a 429 (or a 503 with `Retry-After`) or a reset connection halves that host's
   * limit (not below 1) and pauses it until `Retry-After`; a run of successes grows it back (AIMD).
   */
  readonly adaptive?: boolean | undefined
  /**
   * The most requests queued at once (default: no bound). When full, `onFull` says what happens:
   * `"wait"` (default: the future waits to be admitted to the queue, in order), `"reject"` (the request
   * method throws `QueueFull`) or `"dropOldest"` (the oldest queued future is cancelled, reason `"dropped"`).
   */
  readonly maxQueued?: number | undefined
  readonly onFull?: CoreExecutor.OnFull | undefined
  /**
   * Where a done-callback that threw is reported; default `console.error`.
   *
   * @example
   * ```ts
   * new Executor({ onError: (error) => logger.warn(error) })
   * ```
   */
  readonly onError?: ErrorReporter | undefined
}

/** The options of `executor.map`. */
export interface MapOptions {
  /**
   * Milliseconds for all the results, counted from the call: then `map` rejects with `TimeoutError`
   * and cancels the work not done (Python's `map(..., timeout=)`, which leaves it running).
   *
   * @example
   * ```ts
   * const sizes = await executor.map((url) => session.get(url).then((r) => r.content.length), urls, { timeout: 5_000 })
   * ```
   */
  readonly timeout?: number | undefined
}

/** How an executor shuts down (`concurrent.futures`' `shutdown(wait, cancel_futures)`). */
export interface ShutdownOptions {
  /**
   * Wait until every accepted future is done (default true). With false, return at once; the work goes on.
   *
   * @example
   * ```ts
   * await executor.shutdown({ wait: false })
   * ```
   */
  readonly wait?: boolean | undefined
  /**
   * Cancel the queued futures (they never run); running ones go on. Default false.
   *
   * @example
   * ```ts
   * await executor.shutdown({ cancelFutures: true })
   * ```
   */
  readonly cancelFutures?: boolean | undefined
  /**
   * Also cancel the running futures, interrupting them (a request's socket is closed). Default false.
   * Python cannot do this.
   *
   * @example
   * ```ts
   * await executor.shutdown({ interruptRunning: true })
   * ```
   */
  readonly interruptRunning?: boolean | undefined
}

/** How a `FuturesSession` closes: by default it waits for its accepted requests, as Python's `close()`. */
export interface CloseOptions {
  /**
   * Cancel the session's queued requests instead of waiting for them.
   *
   * @example
   * ```ts
   * await session.close({ cancelFutures: true })
   * ```
   */
  readonly cancelFutures?: boolean | undefined
  /**
   * Also interrupt the running ones (their sockets are closed).
   *
   * @example
   * ```ts
   * await session.close({ cancelFutures: true, interruptRunning: true })
   * ```
   */
  readonly interruptRunning?: boolean | undefined
}

/**
 * When `wait` returns (`concurrent.futures`' `return_when`): when any future is done, when any fails
 * (or all are done), or when all are done. A cancelled future is done, but is no exception.
 */
export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED"

/** The options of `wait`. */
export interface WaitOptions {
  /**
   * Default `"ALL_COMPLETED"`.
   *
   * @example
   * ```ts
   * const { done, notDone } = await wait(futures, { returnWhen: "FIRST_COMPLETED" })
   * ```
   */
  readonly returnWhen?: ReturnWhen | undefined
  /**
   * Return what is done after this many milliseconds (no error, as Python's `wait`).
   *
   * @example
   * ```ts
   * const { notDone } = await wait(futures, { timeout: 1_000 })
   * ```
   */
  readonly timeout?: number | undefined
}
