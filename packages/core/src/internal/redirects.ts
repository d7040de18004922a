/**
 * The redirect step, with cookies and auth applied on every hop: requests' `resolve_redirects`,
 * `rebuild_auth` and `rebuild_method`, stricter where the issue asks (no body across origins).
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Authenticator } from "../Auth.js"
import type { CookieInfo, CookieJar } from "../Cookies.js"
import { InsecureRedirect, InvalidSchema, type RequestError, TooManyRedirects, UnrewindableBody } from "../Errors.js"
import type { PreparedRequest } from "../Request.js"
import { type Backoff, retries, type RetryAttempt, type RetryPolicy, withRetry } from "../Retry.js"
import { Response } from "../Response.js"
import * as Task from "../Task.js"
import type * as Transport from "../Transport.js"
import { decodeContent, defaultMaxBodySize, readAside } from "./decompress.js"
import { type RequestTrace, tracedSend } from "./tracing.js"
import { redactUrl, resolveLocation, sameOrigin, shouldStripAuth, splitCredentials } from "./url.js"

export interface RedirectOptions {
  readonly request: PreparedRequest
  readonly transport: Transport.Transport
  readonly sendOptions: Transport.SendOptions
  /** Set-Cookie of every hop lands here (the session's jar). */
  readonly sessionJar: CookieJar
  /** The jar the Cookie header is built from: the session's merged with the request's cookies. */
  readonly requestJar: CookieJar
  readonly authenticator: Authenticator | undefined
  readonly allowRedirects: boolean
  readonly maxRedirects: number
  /** Follow a redirect from https to http (it carries no credentials or cookies either way). */
  readonly allowDowngrade?: boolean | undefined
  readonly retry: RetryPolicy | undefined
  /** Waits between two attempts of a retry (default `Retry.sleep`). */
  readonly backoff?: Backoff | undefined
  /** Time the request waited before this step (a worker slot), reported in `timings.queued`. */
  readonly queuedMs: number
  /** Every send is a client span (see `tracing.ts`). */
  readonly tracing: boolean
  /** The request's `maxBodySize`: `undefined` for the default, `Infinity` for none. */
  readonly maxBodySize?: number | undefined
  /** Keeps the caller's slot while the final streamed body is on the wire (see `RequestTiming.retainSlot`). */
  readonly retainSlot?: (() => () => void) | undefined
}

const bodyHeaders = ["Content-Length", "Content-Type", "Transfer-Encoding"] as const

/** requests' `rebuild_method`: 303 turns anything but HEAD into GET; 301/302 turn POST into GET. */
const redirectMethod = (status: number, method: string): string => {
  if (status === 303 && method !== "HEAD") return "GET"
  if ((status === 301 || status === 302) && method === "POST") return "GET"
  return method
}

/** The Cookie header of one hop: the jar's cookies for its URL, unless the user set one. */
const withCookies = (request: PreparedRequest, jar: CookieJar, userCookieHeader: boolean): PreparedRequest => {
  if (userCookieHeader) return request
  const cookie = jar.cookieHeader(request.url)
  if (cookie === undefined) {
    return request.headers.has("cookie") ? { ...request, headers: request.headers.delete("Cookie") } : request
  }
  return { ...request, headers: request.headers.set("Cookie", cookie) }
}

const storeCookies = (
  options: RedirectOptions,
  url: string,
  raw: Transport.RawResponse
): ReadonlyArray<CookieInfo> => {
  const setCookie = raw.headers.getAll("set-cookie")
  if (setCookie.length === 0) return []
  const stored = options.sessionJar.storeFromResponse(url, setCookie)
  if (options.requestJar !== options.sessionJar) options.requestJar.storeFromResponse(url, setCookie)
  return stored
}

const toResponse = (
  raw: Transport.RawResponse,
  request: PreparedRequest,
  content: Uint8Array,
  history: ReadonlyArray<Response>,
  cookies: ReadonlyArray<CookieInfo>,
  offset: number,
  queued: number,
  retried: ReadonlyArray<RetryAttempt>,
  maxBodySize?: number | undefined
): Response =>
  new Response({
    statusCode: raw.statusCode,
    reason: raw.reason,
    headers: raw.headers,
    url: request.url,
    history,
    content,
    request,
    cookies,
    // Timings count from the first hop: `offset` is when this hop started.
    timings: { queued, elapsed: offset + raw.elapsed, total: offset + raw.total },
    bodyStream: raw.bodyStream,
    retries: retried,
    maxBodySize
  })

/**
 * Follows redirects from `options.request`, as a task: the first hop is sent without a fiber when its
 * credentials are known at once and no retry policy applies, and a final answer that needs no Effect
 * (not a redirect, no auth challenge, a body decoded on the spot) resumes as an `Exit`. Anything else
 * continues as an effect from where the hop left off.
 */
export const followRedirects = (options: RedirectOptions): Task.Task<Response, RequestError> =>
  Task.make((resume) => {
    const userCookieHeader = options.request.headers.has("cookie")
    const transportSend = (request: PreparedRequest) => options.transport.send(request, options.sendOptions)
    const trace: RequestTrace = { sends: 0, queuedMs: options.queuedMs }
    /** One request on the wire (in a span when tracing). */
    const sendOnce = options.tracing
      ? (request: PreparedRequest) => tracedSend(transportSend, request, trace)
      : transportSend
    const history: Array<Response> = []
    const startedAt = performance.now()
    // A body read into memory (a redirect's, or the answer's) is held to a limit even when a stream is not.
    const wholeLimit = options.sendOptions.maxBodySize ??
      (options.maxBodySize === undefined ? defaultMaxBodySize : undefined)

    /** The final streamed body keeps the caller's slot until its exchange is over. */
    const holdSlot = (raw: Transport.RawResponse): Transport.RawResponse => {
      const release = options.retainSlot?.()
      if (release === undefined || raw.bodyStream === undefined) return raw
      if (raw.onBodyEnd !== undefined) {
        raw.onBodyEnd(release)
        return raw
      }
      return { ...raw, bodyStream: Stream.ensuring(raw.bodyStream, Effect.sync(release)) }
    }
    let authenticator = options.authenticator
    /**
     * Whether the chain went from https to plain http: from then on no plain-http hop carries cookies
     * (not the jar's, not the request's), whatever their domain says; an https hop has them again.
     */
    let downgraded = false

    /** The hop's request with its cookies and credentials (an `Exit` when they need no Effect). */
    const prepareHop = (request: PreparedRequest): Task.Step<PreparedRequest, RequestError> => {
      const withJar = downgraded && request.url.startsWith("http:")
        ? { ...request, headers: request.headers.delete("Cookie") }
        : withCookies(request, options.requestJar, userCookieHeader)
      return authenticator === undefined ? Exit.succeed(withJar) : authenticator.apply(withJar)
    }

    /** What came back to `sent`: answered with a challenge retry (Digest), else on to `onHop`. */
    const afterSend = (
      raw: Transport.RawResponse,
      sent: PreparedRequest,
      offset: number,
      retried: ReadonlyArray<RetryAttempt>
    ): Task.Step<Response, RequestError> => {
      const retry = authenticator?.retry?.(sent, raw)
      if (retry === undefined || Option.isNone(retry)) return onHop(raw, sent, offset, retried)
      if (sent.replayable === false) return unrewindable(sent, raw, sent.url)
      // The challenge may set cookies (httpbin's digest does): the retry must carry them.
      storeCookies(options, sent.url, raw)
      const again = withCookies(retry.value, options.requestJar, userCookieHeader)
      return Task.continueWith(readAside(raw, sent).pipe(
        Effect.zipRight(sendOnce(again)),
        Effect.flatMap((answer) => onHop(answer, again, offset, retried))
      ))
    }

    /** A hop that would send a body again that could be sent once only: fails, its response let go. */
    const unrewindable = (sent: PreparedRequest, raw: Transport.RawResponse, location: string) =>
      Task.continueWith(readAside(raw, sent, wholeLimit).pipe(
        Effect.ignore,
        Effect.zipRight(
          Effect.fail(new UnrewindableBody({ method: sent.method, url: sent.url, status: raw.statusCode, location }))
        )
      ))

    /** Sends a prepared hop as an effect (with retries), then on to `afterSend` with what came back. */
    const send = (sent: PreparedRequest, offset: number): Effect.Effect<Response, RequestError> =>
      Effect.flatMap(
        withRetry(options.retry, sent, sendOnce(sent), options.backoff),
        ({ response, retries }) => afterSend(response, sent, offset, retries)
      )

    /** A later hop (after a redirect): always an effect. */
    const loop = (request: PreparedRequest): Effect.Effect<Response, RequestError> => {
      const offset = performance.now() - startedAt
      return Effect.flatMap(prepareHop(request), (sent) => send(sent, offset))
    }

    /** The response to a hop: the answer (an `Exit` when known at once), or the next hop. */
    const onHop = (
      raw: Transport.RawResponse,
      sent: PreparedRequest,
      offset: number,
      retried: ReadonlyArray<RetryAttempt>
    ): Task.Step<Response, RequestError> => {
      const cookies = storeCookies(options, sent.url, raw)
      const location = raw.headers.get("location")
      const isRedirect = location !== undefined && raw.statusCode >= 300 && raw.statusCode < 400 &&
        raw.statusCode !== 304
      if (!options.allowRedirects || !isRedirect) {
        if (raw.bodyStream !== undefined) {
          return Exit.succeed(
            toResponse(
              holdSlot(raw),
              sent,
              new Uint8Array(0),
              history,
              cookies,
              offset,
              options.queuedMs,
              retried,
              options.maxBodySize
            )
          )
        }
        const encoding = raw.headers.get("content-encoding")
        if (encoding === undefined) {
          return Exit.succeed(toResponse(raw, sent, raw.body, history, cookies, offset, options.queuedMs, retried))
        }
        return Task.mapStep(
          decodeContent(encoding, raw.body, sent, wholeLimit),
          (content) => toResponse(raw, sent, content, history, cookies, offset, options.queuedMs, retried)
        )
      }
      const target = resolveLocation(sent.url, location)
      // Credentials in a Location (`http://user:pass@host/`) come from the server: they are never
      // sent, nor kept in the response's URL.
      const nextUrl = splitCredentials(target)?.url ?? target
      if (
        sent.replayable === false && (raw.statusCode === 307 || raw.statusCode === 308) && sameOrigin(sent.url, nextUrl)
      ) {
        return unrewindable(sent, raw, nextUrl)
      }
      return Task.continueWith(Effect.flatMap(readAside(raw, sent, wholeLimit), (content) => {
        const response = toResponse(
          { ...raw, bodyStream: undefined },
          sent,
          content,
          [...history],
          cookies,
          offset,
          options.queuedMs,
          retried
        )
        history.push(response)
        if (history.length > options.maxRedirects) {
          return Effect.fail(
            new TooManyRedirects({
              method: options.request.method,
              url: options.request.url,
              maxRedirects: options.maxRedirects,
              history: [...history],
              response
            })
          )
        }
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(nextUrl)?.[1]?.toLowerCase() ?? ""
        if (scheme !== "http" && scheme !== "https") {
          return Effect.fail(new InvalidSchema({ method: sent.method, url: nextUrl, scheme }))
        }
        if (scheme === "http" && sent.url.startsWith("https:")) {
          if (options.allowDowngrade === false) {
            return Effect.fail(
              new InsecureRedirect({ method: sent.method, url: sent.url, location: redactUrl(target), response })
            )
          }
          downgraded = true
        }
        return loop(nextRequest(sent, raw.statusCode, nextUrl))
      }))
    }

    /** The request for the next hop, as requests rebuilds it (method, body, auth, cookies). */
    const nextRequest = (previous: PreparedRequest, status: number, url: string): PreparedRequest => {
      const method = redirectMethod(status, previous.method)
      let headers = previous.headers
      let body = previous.body
      let bodyStream = previous.bodyStream
      // 301/302/303 drop the body (requests); 307/308 keep it, but never carry it to another origin.
      if ((status !== 307 && status !== 308) || !sameOrigin(previous.url, url)) {
        headers = headers.delete(...bodyHeaders)
        body = undefined
        bodyStream = undefined
      }
      if (shouldStripAuth(previous.url, url)) {
        headers = headers.delete("Authorization")
        authenticator = undefined
      }
      if (!sameOrigin(previous.url, url)) headers = headers.delete("Proxy-Authorization", "Cookie")
      // The flag goes with the body it describes.
      if (bodyStream !== undefined) return { method, url, headers, body, bodyStream, replayable: previous.replayable }
      return { method, url, headers, body, replayable: body === undefined ? undefined : previous.replayable }
    }

    // The first hop, without a fiber when nothing in it needs one.
    const first = prepareHop(options.request)
    if (first._tag === "Failure") return Task.fromExit(Exit.failCause(first.cause)).start(resume)
    if (
      first._tag === "Continue" || options.tracing ||
      (options.retry !== undefined && retries(options.retry, first.value))
    ) {
      return Task.fromEffect(Effect.flatMap(first, (sent) => send(sent, 0))).start(resume)
    }
    const sent = first.value
    return options.transport.start(
      sent,
      options.sendOptions,
      (exit) => resume(Exit.isSuccess(exit) ? Task.guard(() => afterSend(exit.value, sent, 0, [])) : Exit.failCause(exit.cause))
    )
  })
