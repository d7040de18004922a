import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Auth from "../Auth.js"
import { toAuthenticator } from "../Auth.js"
import { CookieJar } from "../Cookies.js"
import { HookError, type InvalidBody, InvalidHeader, type RequestError } from "../Errors.js"
import { Headers, validate } from "../Headers.js"
import type { Hooks, Params, PreparedRequest, RequestInit, ResponseHook, Timeout } from "../Request.js"
import { Response } from "../Response.js"
import type * as Session from "../Session.js"
import * as Task from "../Task.js"
import type * as Transport from "../Transport.js"
import { normalize as normalizeRetry, type RetryInput, type RetryPolicy } from "../Retry.js"
import { version } from "../version.js"
import { type EncodedBody, encodeBodyEffect } from "./body.js"
import { followRedirects } from "./redirects.js"
import * as transportInternal from "./transport.js"
import { methodShortcuts } from "./methods.js"
import { prepareUrl } from "./url.js"
import { checkConfig, checkRequest, sessionTimeout } from "./validate.js"

export const SessionTag = Context.GenericTag<Session.Session>("@requests-futures/core/Session")

export const accessor = <Args extends ReadonlyArray<unknown>, A, E>(
  f: (session: Session.Session, ...args: Args) => Effect.Effect<A, E>
) =>
(...args: Args): Effect.Effect<A, E, Session.Session> => Effect.flatMap(SessionTag, (session) => f(session, ...args))

export const defaultHeaders: Headers = Headers.from({
  "User-Agent": `requests-futures-ts/${version}`,
  "Accept-Encoding": "gzip, deflate, br",
  Accept: "*/*"
})

const methodsWithBody: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"])

/** requests' merge of session and request params: request keys replace the session's. */
const mergeParams = (base: Params | undefined, extra: Params | undefined): Params | undefined => {
  if (base === undefined) return extra
  if (extra === undefined) return base
  const toPairs = (p: Params): Array<readonly [string, unknown]> => Array.isArray(p) ? [...p] : Object.entries(p)
  const extraPairs = toPairs(extra)
  const overridden = new Set(extraPairs.map(([k]) => k))
  return [...toPairs(base).filter(([k]) => !overridden.has(k)), ...extraPairs].flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const]
  ) as Params
}

const toTimeouts = (timeout: Timeout | undefined): { connectTimeout?: number; readTimeout?: number } => {
  if (timeout === undefined) return {}
  if (typeof timeout === "number") return { connectTimeout: timeout, readTimeout: timeout }
  return {
    ...(timeout.connect !== undefined ? { connectTimeout: timeout.connect } : {}),
    ...(timeout.read !== undefined ? { readTimeout: timeout.read } : {})
  }
}

const retryPolicy = (input: RetryInput | undefined): RetryPolicy | undefined =>
  input === undefined ? undefined : normalizeRetry(input)

const hookList = (hooks: Hooks | undefined): ReadonlyArray<ResponseHook> => {
  const response = hooks?.response
  if (response === undefined) return []
  return typeof response === "function" ? [response] : response
}

// Headers values are immutable: one that passed once (the session's, reused by most requests) passes again.
const validHeaders = new WeakSet<Headers>()
const validateHeaders = (method: string, url: string, headers: Headers): InvalidHeader | undefined => {
  if (validHeaders.has(headers)) return undefined
  for (const [name, value] of headers) {
    const reason = validate(name, value)
    if (reason !== undefined) return new InvalidHeader({ method, url, header: name, reason })
  }
  validHeaders.add(headers)
  return undefined
}

/** Runs the response hooks in order; a returned response replaces the current one. */
export const runHooks = (
  hooks: ReadonlyArray<ResponseHook>,
  response: Response
): Effect.Effect<Response, RequestError> => {
  if (hooks.length === 0) return Effect.succeed(response)
  return Effect.reduce(hooks, response, (current, hook) =>
    Effect.suspend(() => {
      const fail = (cause: unknown) =>
        new HookError({ method: current.request.method, url: current.url, hook: "response hook", cause })
      let result: ReturnType<ResponseHook>
      try {
        result = hook(current)
      } catch (cause) {
        return Effect.fail(fail(cause))
      }
      if (Effect.isEffect(result)) {
        return result.pipe(
          Effect.map((replaced) => replaced instanceof Response ? replaced : current),
          Effect.catchAllDefect((cause) => Effect.fail(fail(cause)))
        )
      }
      return Effect.succeed(result instanceof Response ? result : current)
    }))
}

/** Adds a W3C `traceparent` from the current span, when the user asked for tracing. */
const withTraceparent = (headers: Headers): Effect.Effect<Headers> =>
  Effect.map(Effect.currentSpan.pipe(Effect.option), (span) =>
    Option.match(span, {
      onNone: () => headers,
      onSome: (s) => headers.setDefault("traceparent", `00-${s.traceId}-${s.spanId}-${s.sampled ? "01" : "00"}`)
    }))

export const makeWith = (config: Session.SessionConfig, transport: Transport.Transport): Session.Session => {
  let defaults: Session.Defaults = {
    headers: Headers.merge(defaultHeaders, config.headers),
    params: config.params,
    auth: config.auth,
    timeout: sessionTimeout(config.timeout),
    maxRedirects: config.maxRedirects ?? 30,
    hooks: config.hooks,
    stream: config.stream ?? false,
    retry: config.retry
  }
  const cookies = config.cookies instanceof CookieJar ? config.cookies : CookieJar.make(config.cookies)
  const tracing = config.tracing ?? false

  /**
   * One request, as a task: prepared synchronously when it starts (URL, body, headers, cookies), then
   * handed to the redirect step; hooks, tracing and Blob bodies continue as effects.
   */
  const task = (input: RequestInit, timing?: Session.RequestTiming): Task.Task<Response, RequestError> =>
    Task.make((resume) => {
      const d = defaults
      const checked = checkRequest(input, d)
      if (Either.isLeft(checked)) return Task.fromEffect(Exit.fail(checked.left)).start(resume)
      const init = checked.right
      const method = init.method.toUpperCase()
      const url = prepareUrl(method, init.url, mergeParams(d.params, init.params))
      if (Either.isLeft(url)) return Task.fromEffect(Exit.fail(url.left)).start(resume)
      const href = url.right
      let headers = Headers.merge(d.headers, init.headers)
      const withBody = ({ body, contentType }: EncodedBody): Task.Task<Response, RequestError> => {
        if (contentType !== undefined) headers = headers.setDefault("Content-Type", contentType)
        if (body !== undefined) headers = headers.set("Content-Length", String(body.byteLength))
        else if (methodsWithBody.has(method)) headers = headers.set("Content-Length", "0")
        const invalid = validateHeaders(method, href, headers)
        if (invalid !== undefined) return Task.fromEffect(Exit.fail(invalid))

        // Request cookies are bound to the request's host: a redirect elsewhere does not carry them.
        let requestJar: CookieJar
        try {
          requestJar = CookieJar.merged(cookies, init.cookies, href)
        } catch (cause) {
          return Task.fromEffect(Exit.fail(
            new InvalidHeader({ method, url: href, header: "Cookie", reason: String((cause as Error).message), cause })
          ))
        }
        const auth: Auth.Auth | undefined = init.auth === null ? undefined : init.auth ?? d.auth
        const hooks = [...hookList(d.hooks), ...hookList(init.hooks)]
        const prepared: PreparedRequest = { method, url: href, headers, body }
        const sendOptions: Transport.SendOptions = {
          ...toTimeouts(init.timeout ?? d.timeout),
          stream: init.stream ?? d.stream
        }
        const run = (first: PreparedRequest): Task.Task<Response, RequestError> => {
          const redirected = followRedirects({
            request: first,
            transport,
            sendOptions,
            sessionJar: cookies,
            requestJar,
            authenticator: auth === undefined ? undefined : toAuthenticator(auth),
            allowRedirects: init.allowRedirects ?? method !== "HEAD",
            maxRedirects: init.maxRedirects ?? d.maxRedirects,
            retry: retryPolicy(init.retry ?? d.retry),
            queuedMs: timing?.queuedMs ?? 0
          })
          return hooks.length === 0 ? redirected : Task.flatMap(redirected, (response) => runHooks(hooks, response))
        }
        // The current span is only known on a fiber.
        return tracing
          ? Task.fromEffect(
            Effect.flatMap(withTraceparent(headers), (h) => Task.toEffect(run({ ...prepared, headers: h })))
          )
          : run(prepared)
      }
      const encoded = encodeBodyEffect({ method, url: href, data: init.data, json: init.json, files: init.files })
      // Bodies without a Blob encode synchronously (an Either): the request goes on at once.
      if (Either.isEither(encoded)) {
        const sync = encoded as Either.Either<EncodedBody, InvalidBody>
        return (Either.isLeft(sync) ? Task.fromEffect(Exit.fail(sync.left)) : withBody(sync.right)).start(resume)
      }
      return Task.fromEffect(Effect.flatMap(encoded, (body) => Task.toEffect(withBody(body)))).start(resume)
    })

  const request = (init: RequestInit, timing?: Session.RequestTiming): Effect.Effect<Response, RequestError> =>
    Task.toEffect(task(init, timing))

  return {
    cookies,
    defaults: () => defaults,
    updateDefaults: (f) => {
      defaults = f(defaults)
    },
    transport,
    task,
    request,
    ...methodShortcuts<Omit<RequestInit, "method" | "url">, Effect.Effect<Response, RequestError>>(request)
  }
}

export const make = (config: Session.SessionConfig = {}) =>
  Effect.flatMap(
    checkConfig(config),
    () => Effect.map(transportInternal.make(config), (transport) => makeWith(config, transport))
  )
