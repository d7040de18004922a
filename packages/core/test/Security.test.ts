/**
 * Credentials never leak: not into what a user prints (messages, `String`, `inspect`, JSON, span
 * attributes), not across a downgrading redirect, not from a proxy to the origin, and one session's
 * TLS settings never apply to another's requests.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Auth, Errors, FuturesSession, Response, Session, Transport } from "@requests-futures/core"
import { type Echo, Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { inspect } from "node:util"
import { freePort } from "./helpers.js"
import { cert, key, listen, makeHttpsEcho, makeProxy } from "./proxy.js"

const password = "hunter2-PW"
const token = "tok-SECRET-123"
const cookieValue = "cookie-SECRET-456"
const proxyPassword = "proxy-PW-789"
const setCookieValue = "s3cr3t-cookie"
const secrets = [
  password,
  token,
  cookieValue,
  proxyPassword,
  setCookieValue,
  Buffer.from(`ada:${password}`).toString("base64")
]

/**
 * Every way a user may print a value. JSON too, unless `json` is false: a `Headers` or a `CookieJar`
 * serialises its data (values included, by design: `Headers.toRecord`, `CookieJar.list`), while a
 * response or an error serialises a summary for logs.
 */
const printed = (value: unknown, json = true): string =>
  [
    String(value),
    inspect(value, { depth: 12, showHidden: false, getters: false }),
    json ? JSON.stringify(value) ?? "" : "",
    value instanceof Error ? `${value.message}\n${value.stack ?? ""}` : ""
  ].join("\n")

const expectNoSecret = (value: unknown, json = true) => {
  const text = printed(value, json)
  for (const secret of secrets) expect(text, `leaks ${secret}`).not.toContain(secret)
}

const withPassword = (url: string) => url.replace("://", `://ada:${password}@`)

const echo = (response: Response.Response) => Effect.map(Response.json(response), (body) => body as Echo)

/** An in-memory tracer recording each span's attributes, events and exit. */
const recordingTracer = () => {
  const spans: Array<{ name: string; attributes: Map<string, unknown>; events: Array<unknown>; exit: unknown }> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const record = { name, attributes: new Map<string, unknown>(), events: [] as Array<unknown>, exit: undefined as unknown }
      spans.push(record)
      return {
        _tag: "Span",
        name,
        spanId: "0123456789abcdef",
        traceId: Option.match(parent, { onNone: () => "0123456789abcdef0123456789abcdef", onSome: (p) => p.traceId }),
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: record.attributes,
        links,
        sampled: true,
        kind,
        end(_endTime, exit) {
          record.exit = exit
        },
        attribute(key, value) {
          record.attributes.set(key, value)
        },
        event(name, _startTime, attributes) {
          record.events.push({ name, attributes })
        },
        addLinks() {}
      }
    },
    context: (f) => f()
  })
  return { spans, layer: Layer.setTracer(tracer) }
}

layer(Httpbin.layer())("Security", (it) => {
  describe("nothing printed holds a credential", () => {
    it.scoped("responses, requests, sessions and jars print no password, token or cookie value", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ headers: { "X-Api-Key": "public" }, cookies: { sid: cookieValue } })
        const response = yield* session.get(`${withPassword(url)}/get`, {
          headers: { "Proxy-Authorization": `Basic ${token}` }
        })
        // The credentials went out (httpbin saw them) ...
        const sent = (yield* echo(response)).headers
        expect(sent["Authorization"]).toBe(`Basic ${Buffer.from(`ada:${password}`).toString("base64")}`)
        expect(sent["Cookie"]).toBe(`sid=${cookieValue}`)
        // ... and nothing that prints shows them.
        expectNoSecret(response)
        expectNoSecret(response.request, false)
        expectNoSecret(session, false)
        expectNoSecret(session.cookies, false)
        expect(inspect(response)).toContain("Authorization: 'Basic ***'")
        expect(inspect(response)).toContain("Cookie: 'sid=***'")
      }))

    it.scoped("a response's Set-Cookie is printed without its value", () =>
      Effect.gen(function*() {
        const { server } = makeHttpsEcho()
        const port = yield* listen(server)
        const session = yield* Session.make({ verify: { ca: cert } })
        const response = yield* session.get(`https://127.0.0.1:${port}/redirect?to=/x`, { allowRedirects: false })
        expect(response.headers.get("set-cookie")).toContain(setCookieValue)
        expect(JSON.stringify(response)).toContain("secure_sid=***; Secure; Path=/")
        expectNoSecret(response)
      }))

    it.scoped("errors print no credential: failed connections, HTTP errors, redirects, bad headers", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const session = yield* Session.make({ auth: new Auth.BearerAuth(token), cookies: { sid: cookieValue } })
        const refused = `http://127.0.0.1:${yield* freePort}`
        const errors: Array<Errors.RequestError> = [
          yield* Effect.flip(session.get(`${withPassword(refused)}/x`)),
          yield* Effect.flip(Effect.flatMap(session.get(`${withPassword(url)}/status/401`), Response.raiseForStatus)),
          yield* Effect.flip(session.get(`${url}/redirect/3`, { maxRedirects: 1, auth: ["ada", password] })),
          yield* Effect.flip(session.get(`${url}/get`, { headers: { Authorization: `Bearer ${token}\r\nX: y` } })),
          yield* Effect.flip(session.get(`${url}/get`, { headers: { Cookie: `sid=${cookieValue}\n` } })),
          yield* Effect.flip(session.get(`${withPassword("ftp://host")}/x`)),
          yield* Effect.flip(session.get(`${withPassword("http://")}`)),
          yield* Effect.flip(Effect.flatMap(session.get(`${withPassword(url)}/html`), Response.json))
        ]
        expect(errors.map((error) => error._tag)).toEqual([
          "ConnectionError",
          "HttpError",
          "TooManyRedirects",
          "InvalidHeader",
          "InvalidHeader",
          "InvalidSchema",
          "InvalidUrl",
          "JsonDecodeError"
        ])
        for (const error of errors) {
          expect(Errors.isRequestError(error)).toBe(true)
          expectNoSecret(error)
        }
      }))

    it.scoped("a proxy's credentials are not in a ProxyError", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const port = yield* freePort
        const session = yield* Session.make({
          proxies: { http: `http://proxy-user:${proxyPassword}@127.0.0.1:${port}` },
          trustEnv: false
        })
        const error = yield* Effect.flip(session.get(`${url}/get`))
        expect(error._tag).toBe("ProxyError")
        expect(error.message).toContain(`proxy-user:***@127.0.0.1:${port}`)
        expectNoSecret(error)
      }))

    it.scoped("span attributes, events and exits hold no credential", () =>
      Effect.gen(function*() {
        const { url } = yield* Httpbin
        const recorder = recordingTracer()
        const session = yield* Session.make({ tracing: true, cookies: { sid: cookieValue } })
        yield* session.get(`${withPassword(url)}/redirect-to?url=/get`, {
          headers: { "X-Token": "visible", Authorization: `Bearer ${token}` }
        }).pipe(Effect.provide(recorder.layer))
        yield* Effect.flip(session.get(`${withPassword(`http://127.0.0.1:${yield* freePort}`)}/x`)).pipe(
          Effect.provide(recorder.layer)
        )
        expect(recorder.spans.map((span) => span.name)).toEqual(["GET", "GET", "GET"])
        expect(recorder.spans[0]!.attributes.get("url.full")).toBe(`${url}/redirect-to?url=/get`)
        for (const span of recorder.spans) {
          expectNoSecret([...span.attributes])
          expectNoSecret(span.events)
          expectNoSecret(span.exit)
        }
      }))
  })
})

layer(Httpbin.layer())("Security: redirects from https to http", (it) => {
  /** An https server redirecting to `to`, and a session that trusts its certificate. */
  const httpsRedirect = Effect.gen(function*() {
    const { server, state } = makeHttpsEcho()
    const port = yield* listen(server)
    return Object.assign((to: string) => `https://127.0.0.1:${port}/redirect?to=${encodeURIComponent(to)}`, {
      state,
      fixed: `https://127.0.0.1:${port}/redirect`
    })
  })

  it.scoped("carry no credentials or cookies: not the session's, not the request's, not set by hand", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const redirect = yield* httpsRedirect
      const session = yield* Session.make({
        verify: { ca: cert },
        auth: ["ada", password],
        cookies: { sid: cookieValue }
      })
      const viaOptions = yield* session.get(redirect(`${url}/anything`), { cookies: { req: cookieValue } })
      const viaHeaders = yield* session.get(redirect(`${url}/anything`), {
        headers: { Authorization: `Bearer ${token}`, Cookie: `mine=${cookieValue}`, "Proxy-Authorization": token }
      })
      // a second plain-http hop after the downgrade: still none
      const twoHops = yield* session.get(redirect(`${url}/redirect-to?url=/anything`), { cookies: { req: cookieValue } })
      for (const response of [viaOptions, viaHeaders, twoHops]) {
        expect(response.url).toBe(`${url}/anything`)
        // sent over https ...
        const first = response.history[0]!.request.headers
        expect(first.has("authorization")).toBe(true)
        expect(first.get("cookie")).toContain(cookieValue)
        // ... and not over http
        const { headers } = yield* echo(response)
        expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain("authorization")
        expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain("cookie")
        expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain("proxy-authorization")
        expect(JSON.stringify(headers)).not.toContain(cookieValue)
      }
      // The Secure cookie the https server set stays in the jar, for https only.
      expect(session.cookies.get("secure_sid")).toBe(setCookieValue)
    }))

  it.scoped("allowDowngrade: false (session or request) refuses them with InsecureRedirect", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const redirect = yield* httpsRedirect
      const strict = yield* Session.make({ verify: { ca: cert }, allowDowngrade: false })
      redirect.state.location = withPassword(`${url}/anything`)
      const error = yield* Effect.flip(strict.get(redirect.fixed))
      if (error._tag !== "InsecureRedirect") return expect.unreachable(error._tag)
      expect(error.url).toBe(redirect.fixed)
      expect(error.location).toBe(`${url.replace("://", "://ada:***@")}/anything`)
      expect(error.response.statusCode).toBe(302)
      expect(error.message).toContain("allowDowngrade is false")
      expectNoSecret(error)
      // Followed, a Location with credentials does not put them in the URL, nor sends them.
      const followed = yield* strict.get(redirect.fixed, { allowDowngrade: true })
      expect(followed.url).toBe(`${url}/anything`)
      expect(Object.keys((yield* echo(followed)).headers)).not.toContain("Authorization")
      expectNoSecret(followed)
      // a request's setting wins over its session's, both ways
      expect((yield* strict.get(redirect(`${url}/anything`), { allowDowngrade: true })).url).toBe(`${url}/anything`)
      const lax = yield* Session.make({ verify: { ca: cert } })
      expect((yield* Effect.flip(lax.get(redirect(`${url}/anything`), { allowDowngrade: false })))._tag).toBe(
        "InsecureRedirect"
      )
      // an upgrade (http → https) and https → https are followed
      const upgraded = yield* strict.get(`${url}/redirect-to?url=${encodeURIComponent(redirect(redirect("/secure")))}`)
      expect(upgraded.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/secure$/)
      // FuturesSession takes it too
      const futures = yield* FuturesSession.make({ verify: { ca: cert }, allowDowngrade: false })
      const future = yield* futures.get(redirect(`${url}/anything`))
      expect(Exit.isFailure(yield* Effect.exit(future))).toBe(true)
    }))
})

layer(Httpbin.layer())("Security: proxies", (it) => {
  const proxyAuthorization = `Basic ${Buffer.from(`proxy-user:${proxyPassword}`).toString("base64")}`
  const proxyUrl = (port: number) => `http://proxy-user:${proxyPassword}@127.0.0.1:${port}`
  const noProxyEnv = Effect.acquireRelease(
    Effect.sync(() => {
      const names = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"]
      const saved = names.map((name) => [name, process.env[name]] as const)
      for (const name of names) delete process.env[name]
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

  it.scoped("the proxy gets Proxy-Authorization from the proxy URL; the origin never sees it (proxies, HTTP_PROXY)", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      yield* noProxyEnv
      const proxy = makeProxy(proxyAuthorization)
      const port = yield* listen(proxy.server)
      const viaOption = yield* Session.make({ proxies: { http: proxyUrl(port) }, trustEnv: false })
      process.env["HTTP_PROXY"] = proxyUrl(port)
      const viaEnv = yield* Session.make()
      for (const session of [viaOption, viaEnv]) {
        const response = yield* session.get(`${url}/headers`)
        expect(response.statusCode).toBe(200)
        expect(response.headers.get("x-via-proxy")).toBe("yes")
        const { headers } = yield* echo(response)
        expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain("proxy-authorization")
        expect(JSON.stringify(headers)).not.toContain(proxyAuthorization.slice(6))
        expectNoSecret(response)
      }
      expect(proxy.seen).toEqual([
        { method: "GET", target: `${url}/headers`, proxyAuthorization },
        { method: "GET", target: `${url}/headers`, proxyAuthorization }
      ])
    }))

  it.scoped("HTTPS_PROXY tunnels an https origin through CONNECT: credentials in the CONNECT only", () =>
    Effect.gen(function*() {
      yield* noProxyEnv
      const proxy = makeProxy(proxyAuthorization)
      const proxyPort = yield* listen(proxy.server)
      const origin = makeHttpsEcho()
      const originPort = yield* listen(origin.server)
      process.env["HTTPS_PROXY"] = proxyUrl(proxyPort)
      const session = yield* Session.make({ verify: { ca: cert } })
      const response = yield* session.get(`https://127.0.0.1:${originPort}/echo`)
      const { headers } = yield* echo(response)
      expect(Object.keys(headers)).not.toContain("proxy-authorization")
      expect(proxy.seen).toEqual([{ method: "CONNECT", target: `127.0.0.1:${originPort}`, proxyAuthorization }])
    }))

  it.scoped("each scheme has its own proxy: with only an http proxy, https goes direct (as requests)", () =>
    Effect.gen(function*() {
      yield* noProxyEnv
      const proxy = makeProxy(proxyAuthorization)
      const proxyPort = yield* listen(proxy.server)
      const origin = makeHttpsEcho()
      const originPort = yield* listen(origin.server)
      // trustEnv: false ignores an HTTPS_PROXY in the environment
      process.env["HTTPS_PROXY"] = proxyUrl(proxyPort)
      const session = yield* Session.make({ verify: { ca: cert }, proxies: { http: proxyUrl(proxyPort) }, trustEnv: false })
      expect((yield* session.get(`https://127.0.0.1:${originPort}/echo`)).statusCode).toBe(200)
      expect(proxy.seen).toEqual([])
    }))

  it.scoped("a proxy refusing the credentials of a tunnel is a ProxyError without them", () =>
    Effect.gen(function*() {
      yield* noProxyEnv
      const proxy = makeProxy("Basic something-else")
      const proxyPort = yield* listen(proxy.server)
      const origin = makeHttpsEcho()
      const originPort = yield* listen(origin.server)
      const session = yield* Session.make({ verify: { ca: cert }, proxies: { https: proxyUrl(proxyPort) } })
      const error = yield* Effect.flip(session.get(`https://127.0.0.1:${originPort}/echo`))
      expect(error._tag).toBe("ProxyError")
      expectNoSecret(error)
      expect(origin.state.connections).toBe(0)
    }))

  it.scoped("NO_PROXY (and proxies.noProxy) sends those hosts direct, and their failures are not ProxyErrors", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      yield* noProxyEnv
      const proxy = makeProxy(proxyAuthorization)
      const port = yield* listen(proxy.server)
      const refused = `http://127.0.0.1:${yield* freePort}`
      const viaOption = yield* Session.make({ proxies: { http: proxyUrl(port), noProxy: "127.0.0.1" }, trustEnv: false })
      process.env["HTTP_PROXY"] = proxyUrl(port)
      process.env["NO_PROXY"] = "localhost,127.0.0.1"
      const viaEnv = yield* Session.make()
      for (const session of [viaOption, viaEnv]) {
        const response = yield* session.get(`${url}/headers`)
        expect(response.headers.get("x-via-proxy")).toBeUndefined()
        expect((yield* Effect.flip(session.get(`${refused}/x`)))._tag).toBe("ConnectionError")
      }
      expect(proxy.seen).toEqual([])
      // a host not in the list still goes through the proxy
      const other = url.replace("127.0.0.1", "localhost")
      const proxied = yield* Session.make({ proxies: { http: proxyUrl(port), noProxy: "127.0.0.1" }, trustEnv: false })
      expect((yield* proxied.get(`${other}/headers`)).headers.get("x-via-proxy")).toBe("yes")
    }))
})

describe("Security: TLS settings never leak into another's requests (requests' CVE-2024-35195)", () => {
  it.scoped("a verify: false session's pooled connection does not serve a verifying session", () =>
    Effect.gen(function*() {
      const origin = makeHttpsEcho()
      const port = yield* listen(origin.server)
      const target = `https://127.0.0.1:${port}/echo`
      const unverified = yield* Session.make({ verify: false })
      expect((yield* unverified.get(target)).statusCode).toBe(200)
      expect((yield* unverified.get(target)).statusCode).toBe(200)
      // idle connections that trust anything are in the unverified session's pool now
      expect(unverified.transport.stats().connected - unverified.transport.stats().disconnected).toBeGreaterThan(0)
      for (const verifying of [yield* Session.make(), yield* Session.make({ verify: true })]) {
        expect((yield* Effect.flip(verifying.get(target)))._tag).toBe("SslError")
      }
      const futures = yield* FuturesSession.make({ maxWorkers: 2 })
      const failed = yield* Effect.flip(Effect.flatten(futures.get(target)))
      expect(failed._tag).toBe("SslError")
      // and the unverified one still works over its own pool
      expect((yield* unverified.get(target)).statusCode).toBe(200)
    }))

  it.scoped("TLS or proxy settings beside a pool they cannot apply to are refused, not ignored", () =>
    Effect.gen(function*() {
      const origin = makeHttpsEcho()
      const port = yield* listen(origin.server)
      const target = `https://127.0.0.1:${port}/echo`
      const unverified = yield* Session.make({ verify: false })
      // A FuturesSession over the unverified session's pool cannot verify: it says so.
      const derived = yield* Effect.flip(FuturesSession.make({ session: unverified, verify: true }))
      expect(derived._tag).toBe("InvalidOption")
      expect(derived.message).toContain("verify")
      expect(derived.message).toContain("the given session's pool")
      // The same over a Transport in context, for Session and FuturesSession.
      const transport = yield* Transport.make({ verify: false })
      for (const config of [{ verify: true }, { cert: { cert, key } }, { proxies: {} }, { trustEnv: false }]) {
        const session = yield* Effect.flip(Session.make(config).pipe(Effect.provideService(Transport.Transport, transport)))
        expect(session._tag).toBe("InvalidOption")
        const futures = yield* Effect.flip(
          FuturesSession.make(config).pipe(Effect.provideService(Transport.Transport, transport))
        )
        expect(futures._tag).toBe("InvalidOption")
      }
      // Without such settings the given pool is used, with its own settings.
      const overPool = yield* Session.make({ maxRedirects: 3 }).pipe(Effect.provideService(Transport.Transport, transport))
      expect((yield* overPool.get(target)).statusCode).toBe(200)
    }))
})
