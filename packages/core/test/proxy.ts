/**
 * Servers for the security tests: a forward proxy (absolute-form http and CONNECT tunnels) that records
 * what it was asked and with which `Proxy-Authorization`, and an https server with the self-signed
 * fixture certificate. Both are scoped: closed, with their connections, when the test's scope closes.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")

/** The self-signed certificate (for localhost and 127.0.0.1) and its key. */
export const cert = fixture("cert.pem")
export const key = fixture("key.pem")

/** Listens on an ephemeral port of 127.0.0.1; the server and every open connection close with the scope. */
export const listen = <S extends net.Server>(server: S): Effect.Effect<number, never, Scope.Scope> => {
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  }
  server.on("connection", track)
  server.on("secureConnection", track)
  return Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
      )
    ),
    () =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          for (const socket of sockets) socket.destroy()
        })
      )
  )
}

/** What the proxy was asked: an absolute-form request (`GET http://host/x`) or a tunnel (`CONNECT host:port`). */
export interface ProxiedRequest {
  readonly method: string
  readonly target: string
  readonly proxyAuthorization: string | undefined
}

/**
 * A forward proxy as a real one behaves: plain-http requests in absolute form are fetched upstream
 * with the hop-by-hop `Proxy-Authorization` removed, and `CONNECT host:port` opens a raw tunnel. It
 * answers 407 without the credentials `requireAuth` names (a `Proxy-Authorization` value).
 */
export const makeProxy = (requireAuth?: string) => {
  const seen: Array<ProxiedRequest> = []
  const authorized = (header: string | undefined) => requireAuth === undefined || header === requireAuth
  const server = http.createServer((req, res) => {
    const proxyAuthorization = req.headers["proxy-authorization"]
    seen.push({ method: req.method ?? "", target: req.url ?? "", proxyAuthorization })
    if (!authorized(proxyAuthorization)) {
      res.writeHead(407, { "proxy-authenticate": "Basic realm=\"proxy\"" }).end()
      return
    }
    const { "proxy-authorization": _, "proxy-connection": __, ...headers } = req.headers
    const upstream = http.request(req.url!, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, "x-via-proxy": "yes" })
      up.pipe(res)
    })
    upstream.on("error", () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const proxyAuthorization = req.headers["proxy-authorization"]
    seen.push({ method: "CONNECT", target: req.url ?? "", proxyAuthorization })
    if (!authorized(proxyAuthorization)) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
      return
    }
    const [host, port] = (req.url ?? "").split(":")
    const upstream = net.connect(Number(port), host!, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on("error", () => client.destroy())
    client.on("error", () => upstream.destroy())
    client.on("close", () => upstream.destroy())
  })
  return { server, seen }
}

/**
 * An https server (the fixture certificate) that answers with the headers it received as JSON
 * (`{ "headers": { ... } }`), or, for `/redirect?to=URL`, a 302 to that URL (to `state.location`
 * without `to`). `state.connections` counts the TLS connections it accepted.
 */
export const makeHttpsEcho = () => {
  const state: { connections: number; location: string } = { connections: 0, location: "/" }
  const server = https.createServer({ cert, key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost")
    const to = url.searchParams.get("to") ?? state.location
    if (url.pathname === "/redirect") {
      res.writeHead(Number(url.searchParams.get("status") ?? 302), {
        location: to,
        "set-cookie": "secure_sid=s3cr3t-cookie; Secure; Path=/"
      }).end()
      return
    }
    res.setHeader("content-type", "application/json")
    res.end(JSON.stringify({ headers: req.headers }))
  })
  server.on("secureConnection", () => state.connections++)
  return { server, state }
}
