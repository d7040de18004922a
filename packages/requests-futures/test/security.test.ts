/**
 * The facade keeps the core's promises about credentials: nothing printed holds one, an https → http
 * redirect carries none (and `allowDowngrade: false` refuses it with `InsecureRedirect`), and TLS
 * settings that cannot apply to a given session's pool are refused.
 */
import { readFileSync } from "node:fs"
import * as https from "node:https"
import type * as net from "node:net"
import { inspect } from "node:util"
import {
  FuturesSession,
  HTTPError,
  InsecureRedirect,
  InvalidOption,
  RequestException,
  type Response,
  Session
} from "requests-futures"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Echo, useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const fixture = (name: string) => readFileSync(new URL(`../../core/test/fixtures/${name}`, import.meta.url), "utf8")
const cert = fixture("cert.pem")
const key = fixture("key.pem")

const password = "hunter2-PW"
const token = "tok-SECRET-123"
const cookieValue = "cookie-SECRET-456"
const secrets = [password, token, cookieValue, Buffer.from(`ada:${password}`).toString("base64")]

const expectNoSecret = (value: unknown) => {
  const text = [String(value), inspect(value, { depth: 12 }), JSON.stringify(value) ?? ""].join("\n")
  for (const secret of secrets) expect(text, `leaks ${secret}`).not.toContain(secret)
}

const caught = async (promise: PromiseLike<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  return expect.unreachable("it did not fail")
}

/** An https server (self-signed fixture) whose /redirect answers 302 to `location`. */
let location = "/"
let httpsUrl = ""
const server = https.createServer({ cert, key }, (req, res) => {
  if (req.url === "/redirect") res.writeHead(302, { location }).end()
  else res.end(JSON.stringify({ headers: req.headers }))
})
beforeAll(() =>
  new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      httpsUrl = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`
      resolve()
    })
  )
)
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()))

describe("nothing printed holds a credential", () => {
  it("responses and errors of both sessions print no password, token or cookie value", async () => {
    await using session = new Session({ cookies: { sid: cookieValue } })
    const withPassword = httpbin.url.replace("://", `://ada:${password}@`)
    const response = await session.get(`${withPassword}/get`, { headers: { "X-Token": "public", Authorization: `Bearer ${token}` } })
    // the URL's credentials win over the header, as in requests
    expect(response.json<Echo>().headers["Authorization"]).toBe(`Basic ${secrets[3]}`)
    expectNoSecret(response)
    expect(JSON.stringify(response)).toContain("Basic ***")
    const error = await caught(session.get(`${withPassword}/status/401`).then((r) => r.raiseForStatus()))
    expect(error).toBeInstanceOf(HTTPError)
    expectNoSecret(error)
    await using futures = new FuturesSession({ auth: ["ada", password], maxWorkers: 2 })
    const refused: unknown = await caught(futures.get("http://127.0.0.1:1/x"))
    expect(refused).toBeInstanceOf(RequestException)
    expectNoSecret(refused)
    expectNoSecret(futures)
  })
})

describe("https → http redirects", () => {
  it("carry no credentials or cookies", async () => {
    location = `${httpbin.url}/anything`
    await using session = new Session({ verify: { ca: cert }, auth: ["ada", password], cookies: { sid: cookieValue } })
    const response = await session.get(`${httpsUrl}/redirect`, { cookies: { req: cookieValue } })
    expect(response.url).toBe(`${httpbin.url}/anything`)
    const sent = Object.keys(response.json<Echo>().headers).map((name) => name.toLowerCase())
    expect(sent).not.toContain("authorization")
    expect(sent).not.toContain("cookie")
  })

  it("allowDowngrade: false refuses them with InsecureRedirect (session, property or request)", async () => {
    location = `${httpbin.url.replace("://", `://ada:${password}@`)}/anything`
    await using strict = new Session({ verify: { ca: cert }, allowDowngrade: false })
    const error: unknown = await caught(strict.get(`${httpsUrl}/redirect`))
    expect(error).toBeInstanceOf(InsecureRedirect)
    const refused = error as InsecureRedirect
    expect(refused._tag).toBe("InsecureRedirect")
    expect(refused.location).toBe(`${httpbin.url.replace("://", "://ada:***@")}/anything`)
    expect(refused.request.url).toBe(`${httpsUrl}/redirect`)
    expect((refused.response as Response).statusCode).toBe(302)
    expectNoSecret(refused)
    expect((await strict.get(`${httpsUrl}/redirect`, { allowDowngrade: true })).url).toBe(`${httpbin.url}/anything`)

    await using futures = new FuturesSession({ verify: { ca: cert } })
    expect(futures.allowDowngrade).toBe(true)
    futures.allowDowngrade = false
    await expect(futures.get(`${httpsUrl}/redirect`)).rejects.toBeInstanceOf(InsecureRedirect)
    futures.allowDowngrade = true
    await expect(futures.get(`${httpsUrl}/redirect`, { allowDowngrade: false })).rejects.toBeInstanceOf(InsecureRedirect)
    expect((await futures.get(`${httpsUrl}/redirect`)).statusCode).toBe(200)
  })
})

describe("TLS settings never leak into another session's requests", () => {
  it("a verifying session fails on a self-signed origin after an unverified one used it", async () => {
    await using unverified = new Session({ verify: false })
    expect((await unverified.get(`${httpsUrl}/echo`)).statusCode).toBe(200)
    await using verifying = new Session()
    await expect(verifying.get(`${httpsUrl}/echo`)).rejects.toMatchObject({ _tag: "SSLError" })
  })

  it("verify beside a given session (whose pool it cannot change) is an InvalidOption", async () => {
    await using unverified = new Session({ verify: false })
    expect(() => new FuturesSession({ session: unverified, verify: true })).toThrow(InvalidOption)
  })
})
