import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Auth from "../Auth.js"
import { toAuthenticator } from "../Auth.js"
import { CookieJar } from "../Cookies.js"
import { HookError, InvalidHeader, type RequestError } from "../Errors.js"
import { Headers, validate } from "../Headers.js"
import type { Hooks, Params, RequestInit, ResponseHook, Timeout } from "../Request.js"
import { Response } from "../Response.js"
import type * as Session from "../Session.js"
import { defaultMaxBodySize } from "./decompress.js"
import * as Task from "../Task.js"
import type * as Transport from "../Transport.js"
import { normalize as normalizeRetry, type RetryInput, type RetryPolicy } from "../Retry.js"
import { version } from "../version.js"
import { type EncodedBody, encodeBodyStep } from "./body.js"
import * as debug from "./debug.js"
import { followRedirects } from "./redirects.js"
import * as transportInternal from "./transport.js"
import { methodShortcuts } from "./methods.js"
import * as signal from "./signal.js"
import { prepareUrl } from "./url.js"
import { checkConfig, checkOwnPoolSettings, checkRequest, sessionTimeout } from "./validate.js"

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

/**
 * Calls `hook(response)` as a step of the pipeline: a returned response replaces it (at once, no
 * fiber), a returned effect continues on one (its failure is the request's), and a throw or a defect
 * is a `HookError` naming the step. The one runner of user code on a response: response hooks and
 * the background callback go through it.
 */
export const runHook = (
  hook: (response: Response) => Response | void | Effect.Effect<Response | void, RequestError>,
  response: Response,
  label: string
): Task.Step<Response, RequestError> => {
  const fail = (cause: unknown) =>
    new HookError({ method: response.request.method, url: response.url, hook: label, cause })
  let result: ReturnType<typeof hook>
  try {
    result = hook(response)
  } catch (cause) {
    return Exit.fail(fail(cause))
  }
  if (!Effect.isEffect(result)) return Exit.succeed(result instanceof Response ? result : response)
  return Task.continueWith(result.pipe(
    Effect.map((replaced) => replaced instanceof Response ? replaced : response),
    Effect.catchAllDefect((cause) => Effect.fail(fail(cause)))
  ))
}

/** Runs the response hooks in order; a returned response replaces the current one. */
export const runHooks = (
  hooks: ReadonlyArray<ResponseHook>,
  response: Response
): Task.Step<Response, RequestError> =>
  hooks.reduce<Task.Step<Response, RequestError>>(
    (step, hook) => Task.flatMapStep(step, (current) => runHook(hook, current, "response hook")),
    Exit.succeed(response)
  )

export const makeWith = (config: Session.SessionConfig, transport: Transport.Transport): Session.Session => {
  let defaults: Session.Defaults = {
    headers: Headers.merge(defaultHeaders, config.headers),
    params: config.params,
    auth: config.auth,
    timeout: sessionTimeout(config.timeout),
    maxRedirects: config.maxRedirects ?? 30,
    allowDowngrade: config.allowDowngrade ?? true,
    hooks: config.hooks,
    stream: config.stream ?? false,
    retry: config.retry,
    signal: config.signal,
    maxBodySize: config.maxBodySize,
    releaseSlotAtHeaders: config.releaseSlotAtHeaders ?? false
  }
  const cookies = config.cookies instanceof CookieJar ? config.cookies : CookieJar.make(config.cookies)
  const tracing = config.tracing ?? false

  /**
   * One request, as a task: prepared synchronously when it starts (URL, body, headers, cookies), then
   * handed to the redirect step; hooks and tracing continue as effects.
   */
  const send = (input: RequestInit, timing?: Session.RequestTiming): Task.Task<Response, RequestError> =>
    Task.make((resume) => {
      const d = defaults
      const checked = checkRequest(input, d)
      if (Either.isLeft(checked)) return Task.fromExit(Exit.fail(checked.left)).start(resume)
      const init = checked.right
      const method = init.method.toUpperCase()
      const url = prepareUrl(method, init.url, mergeParams(d.params, init.params))
      if (Either.isLeft(url)) return Task.fromExit(Exit.fail(url.left)).start(resume)
      const href = url.right
      let headers = Headers.merge(d.headers, init.headers)
      const withBody = (encoded: EncodedBody): Task.Task<Response, RequestError> => {
        const { body, contentType } = encoded
        if (contentType !== undefined) headers = headers.setDefault("Content-Type", contentType)
        if (body !== undefined) headers = headers.set("Content-Length", String(body.byteLength))
        else if (encoded.stream !== undefined) {
          // Chunked unless the length is known (or the user's own Content-Length gives it).
          if (encoded.length !== undefined) headers = headers.set("Content-Length", String(encoded.length))
        } else if (methodsWithBody.has(method)) headers = headers.set("Content-Length", "0")
        const invalid = validateHeaders(method, href, headers)
        if (invalid !== undefined) return Task.fromExit(Exit.fail(invalid))

        // Request cookies are bound to the request's host: a redirect elsewhere does not carry them.
        let requestJar: CookieJar
        try {
          requestJar = CookieJar.merged(cookies, init.cookies, href)
        } catch (cause) {
          return Task.fromExit(Exit.fail(
            new InvalidHeader({ method, url: href, header: "Cookie", reason: String((cause as Error).message), cause })
          ))
        }
        const auth: Auth.Auth | undefined = init.auth === null ? undefined : init.auth ?? d.auth
        const hooks = [...hookList(d.hooks), ...hookList(init.hooks)]
        const stream = init.stream ?? d.stream
        // `undefined`: the default (a limit for a body read whole, none for a stream); `Infinity`: none.
        const maxBodySize = (init.maxBodySize !== undefined ? init.maxBodySize : d.maxBodySize) ?? undefined
        const sendOptions: Transport.SendOptions = {
          ...toTimeouts(init.timeout ?? d.timeout),
          stream,
          maxBodySize: maxBodySize === undefined
            ? (stream ? undefined : defaultMaxBodySize)
            : maxBodySize === Infinity
            ? undefined
            : maxBodySize,
          onDownloadProgress: init.onDownloadProgress,
          onUploadProgress: init.onUploadProgress
        }
        // A streamed body keeps the caller's slot (an executor's worker) until its exchange is over.
        const retainSlot = stream && !(init.releaseSlotAtHeaders ?? d.releaseSlotAtHeaders) &&
            timing?.retainSlot !== undefined
          ? () => timing.retainSlot!()
          : undefined
        const retry = retryPolicy(init.retry ?? d.retry)
        const backoff = timing?.backoff
        const redirected = followRedirects({
          request: encoded.stream === undefined
            ? { method, url: href, headers, body }
            : { method, url: href, headers, body, bodyStream: encoded.stream, replayable: encoded.replayable },
          transport,
          sendOptions,
          sessionJar: cookies,
          requestJar,
          authenticator: auth === undefined ? undefined : toAuthenticator(auth),
          allowRedirects: init.allowRedirects ?? method !== "HEAD",
          maxRedirects: init.maxRedirects ?? d.maxRedirects,
          allowDowngrade: init.allowDowngrade ?? d.allowDowngrade,
          retry,
          // Called as a method of the timing (an executor's WorkInfo), and only when there are retries.
          backoff: backoff === undefined || retry === undefined ? undefined : (delayMs, after) => backoff.call(timing, delayMs, after),
          queuedMs: timing?.queuedMs ?? 0,
          tracing: init.tracing ?? tracing,
          maxBodySize,
          retainSlot
        })
        return hooks.length === 0 ? redirected : Task.flatMap(redirected, (response) => runHooks(hooks, response))
      }
      // Every body encodes at once (an Exit; Blobs and streams are read as they are sent): no fiber.
      const encoded = encodeBodyStep({ method, url: href, data: init.data, json: init.json, files: init.files })
      switch (encoded._tag) {
        case "Success":
          return withBody(encoded.value).start(resume)
        case "Failure":
          return Task.fromExit(Exit.failCause(encoded.cause)).start(resume)
        case "Continue":
          return Task.fromEffect(Effect.flatMap(encoded, (body) => Task.toEffect(withBody(body)))).start(resume)
      }
    })

  /** The request with its signals (its own and the session's) and, with `NODE_DEBUG`, its debug line. */
  const task = (input: RequestInit, timing?: Session.RequestTiming): Task.Task<Response, RequestError> => {
    const signals = signal.signalsOf(input.signal, defaults.signal)
    const sent = send(input, timing)
    const cancellable = signals === undefined ? sent : signal.cancellable(sent, input, signals)
    return debug.enabled ? debug.logged(cancellable, input, timing) : cancellable
  }

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

/** The `Transport` in context when there is one, else an undici transport of the session's own. */
export const make = (config: Session.SessionConfig = {}) =>
  Effect.flatMap(
    checkConfig(config),
    () =>
      Effect.map(
        Effect.flatMap(Effect.serviceOption(transportInternal.TransportTag), (provided) => {
          if (Option.isNone(provided)) return transportInternal.make(config)
          const unusable = checkOwnPoolSettings(config, "the Transport in context")
          return unusable === undefined ? Effect.succeed(provided.value) : Effect.fail(unusable)
        }),
        (transport) => makeWith(config, transport)
      )
  )
