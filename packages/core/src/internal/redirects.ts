/**
 * The redirect step, with cookies and auth applied on every hop: requests' `resolve_redirects`,
 * `rebuild_auth` and `rebuild_method`, stricter where the issue asks (no body across origins).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Authenticator } from "../Auth.js"
import type { CookieInfo, CookieJar } from "../Cookies.js"
import { InvalidSchema, type RequestError, type SendError, TooManyRedirects } from "../Errors.js"
import type { PreparedRequest } from "../Request.js"
import { type RetryPolicy, withRetry } from "../Retry.js"
import { Response } from "../Response.js"
import type * as Transport from "../Transport.js"
import { decodeContent } from "./decompress.js"
import { resolveLocation, sameOrigin, shouldStripAuth } from "./url.js"

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
  readonly retry: RetryPolicy | undefined
  /** Time the request waited before this step (a worker slot), reported in `timings.queued`. */
  readonly queuedMs: number
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

/** A redirect's body is read but not kept as the answer: decode it if it decodes, else keep it raw. */
const drainHop = (raw: Transport.RawResponse, request: PreparedRequest): Effect.Effect<Uint8Array, SendError> => {
  const bytes = raw.bodyStream === undefined
    ? Effect.succeed(raw.body)
    : Effect.map(Stream.runCollect(raw.bodyStream), (chunks) => Buffer.concat(Array.from(chunks)))
  return Effect.flatMap(bytes, (body) =>
    decodeContent(raw.headers.get("content-encoding"), body, request).pipe(
      Effect.orElseSucceed(() => body)
    ))
}

const toResponse = (
  raw: Transport.RawResponse,
  request: PreparedRequest,
  content: Uint8Array,
  history: ReadonlyArray<Response>,
  cookies: ReadonlyArray<CookieInfo>,
  offset: number,
  queued: number
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
    bodyStream: raw.bodyStream
  })

/** What a hop continues with: the response, the request as sent, and when the hop started. */
type Hop = (raw: Transport.RawResponse, sent: PreparedRequest, offset: number) => Effect.Effect<Response, RequestError>

export const followRedirects = (options: RedirectOptions): Effect.Effect<Response, RequestError> =>
  Effect.suspend(() => {
    const userCookieHeader = options.request.headers.has("cookie")
    const history: Array<Response> = []
    const startedAt = performance.now()
    let authenticator = options.authenticator

    /**
     * One hop: cookies, auth (with one Digest retry), send; `next` continues with what came back
     * (a continuation rather than a returned tuple: one Effect step less on every request).
     */
    const sendHop = (request: PreparedRequest, next: Hop): Effect.Effect<Response, RequestError> => {
      const offset = performance.now() - startedAt
      const withJar = withCookies(request, options.requestJar, userCookieHeader)
      const send = (sent: PreparedRequest) =>
        Effect.flatMap(withRetry(options.retry, sent, options.transport.send(sent, options.sendOptions)), (raw) => {
          const retry = authenticator?.retry?.(sent, raw)
          if (retry === undefined || Option.isNone(retry)) return next(raw, sent, offset)
          // The challenge may set cookies (httpbin's digest does): the retry must carry them.
          storeCookies(options, sent.url, raw)
          const again = withCookies(retry.value, options.requestJar, userCookieHeader)
          return drainHop(raw, sent).pipe(
            Effect.zipRight(options.transport.send(again, options.sendOptions)),
            Effect.flatMap((retried) => next(retried, again, offset))
          )
        })
      // Without auth, nothing to wait for before sending.
      return authenticator === undefined ? send(withJar) : Effect.flatMap(authenticator.apply(withJar), send)
    }

    const loop = (request: PreparedRequest): Effect.Effect<Response, RequestError> => sendHop(request, onHop)

    const onHop: Hop = (raw, sent, offset) => {
        const cookies = storeCookies(options, sent.url, raw)
        const location = raw.headers.get("location")
        const isRedirect = location !== undefined && raw.statusCode >= 300 && raw.statusCode < 400 &&
          raw.statusCode !== 304
        if (!options.allowRedirects || !isRedirect) {
          if (raw.bodyStream !== undefined) {
            return Effect.succeed(toResponse(raw, sent, new Uint8Array(0), history, cookies, offset, options.queuedMs))
          }
          const encoding = raw.headers.get("content-encoding")
          if (encoding === undefined) {
            return Effect.succeed(toResponse(raw, sent, raw.body, history, cookies, offset, options.queuedMs))
          }
          return Effect.map(
            decodeContent(encoding, raw.body, sent),
            (content) => toResponse(raw, sent, content, history, cookies, offset, options.queuedMs)
          )
        }
        return Effect.flatMap(drainHop(raw, sent), (content) => {
          history.push(toResponse({ ...raw, bodyStream: undefined }, sent, content, [...history], cookies, offset, options.queuedMs))
          if (history.length > options.maxRedirects) {
            return Effect.fail(
              new TooManyRedirects({
                method: options.request.method,
                url: options.request.url,
                maxRedirects: options.maxRedirects,
                history: [...history]
              })
            )
          }
          const nextUrl = resolveLocation(sent.url, location)
          const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(nextUrl)?.[1]?.toLowerCase() ?? ""
          if (scheme !== "http" && scheme !== "https") {
            return Effect.fail(new InvalidSchema({ method: sent.method, url: nextUrl, scheme }))
          }
          return loop(nextRequest(sent, raw.statusCode, nextUrl))
        })
    }

    /** The request for the next hop, as requests rebuilds it (method, body, auth, cookies). */
    const nextRequest = (previous: PreparedRequest, status: number, url: string): PreparedRequest => {
      const method = redirectMethod(status, previous.method)
      let headers = previous.headers
      let body = previous.body
      // 301/302/303 drop the body (requests); 307/308 keep it, but never carry it to another origin.
      if ((status !== 307 && status !== 308) || !sameOrigin(previous.url, url)) {
        headers = headers.delete(...bodyHeaders)
        body = undefined
      }
      if (shouldStripAuth(previous.url, url)) {
        headers = headers.delete("Authorization")
        authenticator = undefined
      }
      if (!sameOrigin(previous.url, url)) headers = headers.delete("Proxy-Authorization", "Cookie")
      return { method, url, headers, body }
    }

    return loop(options.request)
  })
