import { describe, expect, it } from "@effect/vitest"
import { Session } from "@requests-futures/core"
import { Httpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import type { TLSSocket } from "node:tls"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")
const cert = fixture("cert.pem")
const key = fixture("key.pem")

const listen = <S extends net.Server>(server: S) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)))
    ),
    () =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          if ("closeAllConnections" in server) (server as unknown as http.Server).closeAllConnections()
        })
      )
  )

/** An HTTPS server with a self-signed certificate for 127.0.0.1. */
const httpsServer = listen(
  https.createServer({ cert, key }, (_, res) => {
    res.setHeader("content-type", "application/json")
    res.end(JSON.stringify({ secure: true }))
  })
)

/** A forward proxy for plain http: it answers absolute-form requests by fetching them itself. */
const makeProxy = () => {
  const seen: Array<string> = []
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? "")
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, "x-via-proxy": "yes" })
      up.pipe(res)
    })
    upstream.on("error", () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  return { server, seen }
}

describe("Transport", () => {
  it.scoped("verifies TLS by default: a self-signed certificate is an SslError", () =>
    Effect.gen(function*() {
      const port = yield* httpsServer
      const session = yield* Session.make()
      const error = yield* Effect.flip(session.get(`https://127.0.0.1:${port}/`))
      expect(error._tag).toBe("SslError")
      expect(error.message).toContain(`https://127.0.0.1:${port}/`)
    }))

  it.scoped("verify: { ca } trusts a given CA bundle; verify: false trusts anything", () =>
    Effect.gen(function*() {
      const port = yield* httpsServer
      const trusted = yield* Session.make({ verify: { ca: cert } })
      expect((yield* trusted.get(`https://127.0.0.1:${port}/`)).statusCode).toBe(200)
      const unverified = yield* Session.make({ verify: false })
      expect((yield* unverified.get(`https://localhost:${port}/`)).statusCode).toBe(200)
    }))

  it.scoped("sends plain-http requests through a proxy given in proxies", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const proxy = makeProxy()
      const proxyPort = yield* listen(proxy.server)
      const session = yield* Session.make({ proxies: { http: `http://127.0.0.1:${proxyPort}` }, trustEnv: false })
      const response = yield* session.get(`${url}/get`)
      expect(response.statusCode).toBe(200)
      expect(response.headers.get("x-via-proxy")).toBe("yes")
      expect(proxy.seen).toEqual([`${url}/get`])
    }).pipe(Effect.provide(Httpbin.layer())))

  it.scoped("trustEnv reads HTTP_PROXY from the environment; trustEnv: false ignores it", () =>
    Effect.gen(function*() {
      const { url } = yield* Httpbin
      const proxy = makeProxy()
      const proxyPort = yield* listen(proxy.server)
      const saved = process.env["HTTP_PROXY"]
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          if (saved === undefined) delete process.env["HTTP_PROXY"]
          else process.env["HTTP_PROXY"] = saved
        })
      )
      process.env["HTTP_PROXY"] = `http://127.0.0.1:${proxyPort}`
      const fromEnv = yield* Session.make()
      expect((yield* fromEnv.get(`${url}/get`)).headers.get("x-via-proxy")).toBe("yes")
      const direct = yield* Session.make({ trustEnv: false })
      expect((yield* direct.get(`${url}/get`)).headers.get("x-via-proxy")).toBeUndefined()
      expect(proxy.seen).toHaveLength(1)
    }).pipe(Effect.provide(Httpbin.layer())))

  it.scoped("presents a client certificate for mutual TLS", () =>
    Effect.gen(function*() {
      const port = yield* listen(
        https.createServer({ cert, key, ca: cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate()
          res.end(JSON.stringify({ client: peer.subject?.CN ?? null }))
        })
      )
      const withCert = yield* Session.make({ verify: { ca: cert }, cert: { cert, key } })
      const response = yield* withCert.get(`https://127.0.0.1:${port}/`)
      expect(JSON.parse(response.text)).toEqual({ client: "localhost" })
      const without = yield* Session.make({ verify: { ca: cert } })
      const error = yield* Effect.flip(without.get(`https://127.0.0.1:${port}/`))
      // Under TLS 1.3 the server rejects the missing certificate after the handshake, by closing
      // the socket: the client cannot tell it from any other close (requests sees a reset too).
      expect(error._tag).toBe("ConnectionError")
    }))

  it.scoped("a proxy that cannot be reached is a ProxyError", () =>
    Effect.gen(function*() {
      const proxy = makeProxy()
      const port = yield* listen(proxy.server)
      yield* Effect.promise(() => new Promise<void>((resolve) => proxy.server.close(() => resolve())))
      const session = yield* Session.make({ proxies: { http: `http://127.0.0.1:${port}` }, trustEnv: false })
      const error = yield* Effect.flip(session.get("http://127.0.0.1:9/"))
      expect(error._tag).toBe("ProxyError")
    }))

  it.scoped("a connect timeout covers waiting for a pooled connection: ConnectTimeout, and nothing was sent", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ connections: 1 })
      const busy = yield* Effect.fork(session.get(`${server.url}/delay/1`, { headers: { "X-Track-Id": "busy" } }))
      // the one connection is taken once the server has the first request
      yield* Effect.promise(() => server.waitForRequest("busy"))
      const error = yield* Effect.flip(
        session.get(`${server.url}/get`, { timeout: { connect: 100 }, headers: { "X-Track-Id": "never-sent" } })
      )
      expect(error._tag).toBe("ConnectTimeout")
      expect(error.message).toContain("100 ms")
      yield* busy.await
      expect(server.requests().some((r) => r.trackId === "never-sent")).toBe(false)
    }).pipe(Effect.provide(Httpbin.layer())))

  it.scoped("the pool never opens more connections to one origin than `connections`", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ connections: 4 })
      yield* Effect.forEach(Array.from({ length: 40 }), () => session.get(`${server.url}/get`), { concurrency: 16 })
      expect(server.stats().accepted).toBeLessThanOrEqual(4)
      expect(session.transport.stats().connected).toBeLessThanOrEqual(4)
    }).pipe(Effect.provide(Httpbin.layer())))
})

describe("Retry", () => {
  it.live("retries a 503 with backoff, then fails with RetryError holding the last response", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 2, backoff: 10 } })
      const error = yield* Effect.flip(session.get(`${server.url}/status/503`, { headers: { "X-Track-Id": "r503" } }))
      if (error._tag !== "RetryError") throw new Error(`expected RetryError, got ${error._tag}`)
      expect(error.attempts).toHaveLength(3)
      expect(error.last._tag).toBe("HttpError")
      expect(server.requests().filter((r) => r.trackId === "r503")).toHaveLength(3)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("RetryError carries the last response (requests' e.response), the same as its last HttpError's", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 1, backoff: 10 } })
      const error = yield* Effect.flip(session.get(`${server.url}/status/429`))
      if (error._tag !== "RetryError") throw new Error(`expected RetryError, got ${error._tag}`)
      expect(error.response.statusCode).toBe(429)
      expect(error.response.url).toBe(`${server.url}/status/429`)
      if (error.last._tag !== "HttpError") throw new Error(`expected HttpError, got ${error.last._tag}`)
      expect(error.last.response).toBe(error.response)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("does not retry a POST (not idempotent) unless the policy names it", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: { limit: 2, backoff: 10 } })
      const response = yield* session.post(`${server.url}/status/503`, { headers: { "X-Track-Id": "post" } })
      expect(response.statusCode).toBe(503)
      expect(server.requests().filter((r) => r.trackId === "post")).toHaveLength(1)
      const named = yield* Effect.flip(
        session.post(`${server.url}/status/503`, { retry: { limit: 1, backoff: 10, methods: ["POST"] } })
      )
      expect(named._tag).toBe("RetryError")
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("retries a read timeout and gives the timeout back when the attempts run out", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make()
      const error = yield* Effect.flip(
        session.get(`${server.url}/fault/stall-headers/2000`, {
          timeout: { read: 50 },
          retry: 1,
          headers: { "X-Track-Id": "stall" }
        })
      )
      expect(error._tag).toBe("ReadTimeout")
      expect(server.requests().filter((r) => r.trackId === "stall")).toHaveLength(2)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))

  it.live("a request that succeeds is not retried", () =>
    Effect.gen(function*() {
      const server = yield* Httpbin
      const session = yield* Session.make({ retry: 3 })
      const response = yield* session.get(`${server.url}/get`, { headers: { "X-Track-Id": "once" } })
      expect(response.statusCode).toBe(200)
      expect(server.requests().filter((r) => r.trackId === "once")).toHaveLength(1)
    }).pipe(Effect.provide(Httpbin.layer()), Effect.scoped))
})
