import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type HttpbinServer, startHttpbin } from "@requests-futures/httpbin"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"
import { type Authenticator, BasicAuth, BearerAuth, DigestAuth, toAuthenticator } from "../src/Auth.js"
import { Headers } from "../src/Headers.js"
import { findChallenge, parseChallenges } from "../src/internal/digest.js"
import type { PreparedRequest } from "../src/Request.js"

const request = (url: string, method = "GET", body?: Uint8Array): PreparedRequest => ({
  method,
  url,
  headers: Headers.from({ Accept: "*/*" }),
  body
})

const unauthorized = (...challenges: ReadonlyArray<string>) => ({
  statusCode: 401,
  headers: Headers.from(challenges.map((c): readonly [string, string] => ["WWW-Authenticate", c]))
})

/** The parameters of a Digest Authorization value (quoted values unescaped). */
const params = (header: string | undefined): Record<string, string> => {
  expect(header).toMatch(/^Digest /)
  const out: Record<string, string> = {}
  const re = /([a-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/gi
  for (const m of header!.slice(7).matchAll(re)) out[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!
  return out
}

const authorization = (r: Option.Option<PreparedRequest>): string | undefined =>
  Option.getOrThrow(r).headers.get("authorization")

const H = (hash: string, data: string | Uint8Array) => createHash(hash).update(data).digest("hex")

// RFC 7616 section 3.9.1.
const rfc7616 = {
  username: "Mufasa",
  password: "Circle of Life",
  url: "http://www.example.org/dir/index.html",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  challenge: (algorithm: string) =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
    `nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
}

const rfcDigest = () => new DigestAuth(rfc7616.username, rfc7616.password, { cnonce: () => rfc7616.cnonce })

describe("BasicAuth", () => {
  it.effect("sends the RFC 7617 value", () =>
    Effect.gen(function*() {
      const sent = yield* new BasicAuth("Aladdin", "open sesame").apply(request("http://example.com/"))
      expect(sent.headers.get("Authorization")).toBe("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
      expect(sent.headers.get("accept")).toBe("*/*")
    }))

  it.effect("a [user, password] pair is Basic; UTF-8 outside ASCII", () =>
    Effect.gen(function*() {
      const sent = yield* toAuthenticator(["user", "pässwörd"]).apply(request("http://example.com/"))
      expect(sent.headers.get("Authorization")).toBe(
        `Basic ${Buffer.from("user:pässwörd", "utf8").toString("base64")}`
      )
    }))

  it.effect("replaces an Authorization header the request already has", () =>
    Effect.gen(function*() {
      const r = { ...request("http://example.com/"), headers: Headers.from({ authorization: "Token x" }) }
      const sent = yield* new BasicAuth("a", "b").apply(r)
      expect(sent.headers.getAll("Authorization")).toEqual(["Basic YTpi"])
    }))

  it("does not print the password when logged", () => {
    const auth = new BasicAuth("user", "hunter2")
    expect(auth.password).toBe("hunter2")
    expect(JSON.stringify(auth)).not.toContain("hunter2")
  })

  it("toAuthenticator: classes are their own authenticator, wrappers are cached", () => {
    const basic = new BasicAuth("a", "b")
    expect(toAuthenticator(basic)).toBe(basic)
    const pair = ["a", "b"] as const
    expect(toAuthenticator(pair)).toBe(toAuthenticator(pair))
    const f = (r: PreparedRequest) => r
    expect(toAuthenticator(f)).toBe(toAuthenticator(f))
    expect(toAuthenticator(pair).retry).toBeUndefined()
  })
})

describe("BearerAuth", () => {
  it.effect("sends the token", () =>
    Effect.gen(function*() {
      const sent = yield* new BearerAuth("abc.def-ghi").apply(request("http://example.com/"))
      expect(sent.headers.get("Authorization")).toBe("Bearer abc.def-ghi")
    }))

  it.effect("refuses a token with CR/LF: InvalidHeader", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(new BearerAuth("abc\r\nX-Evil: 1").apply(request("http://example.com/x")))
      expect(error._tag).toBe("InvalidHeader")
      expect(error).toMatchObject({ method: "GET", url: "http://example.com/x", header: "Authorization" })
    }))
})

describe("custom auth function", () => {
  it.effect("is applied", () =>
    Effect.gen(function*() {
      const auth = toAuthenticator((r) => ({ ...r, headers: r.headers.set("X-Api-Key", "k") }))
      const sent = yield* auth.apply(request("http://example.com/"))
      expect(sent.headers.get("x-api-key")).toBe("k")
    }))

  it.effect("a throw becomes a HookError with hook 'auth', decided at once (an Exit, no fiber needed)", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      let calls = 0
      const auth = toAuthenticator(() => {
        calls++
        throw boom
      })
      const step = auth.apply(request("http://example.com/p", "POST"))
      expect(calls).toBe(1)
      expect(step._tag).toBe("Failure")
      const error = yield* Effect.flip(step)
      expect(error._tag).toBe("HookError")
      expect(error).toMatchObject({ method: "POST", url: "http://example.com/p", hook: "auth", cause: boom })
    }))

  it.effect("returning something other than a request is a HookError", () =>
    Effect.gen(function*() {
      const auth = toAuthenticator((() => undefined) as unknown as (r: PreparedRequest) => PreparedRequest)
      const error = yield* Effect.flip(auth.apply(request("http://example.com/")))
      expect(error).toMatchObject({ _tag: "HookError", hook: "auth" })
      expect(error.cause).toBeInstanceOf(TypeError)
    }))
})

describe("DigestAuth", () => {
  it.effect("sends nothing before a challenge", () =>
    Effect.gen(function*() {
      const r = request(rfc7616.url)
      expect(yield* rfcDigest().apply(r)).toBe(r)
    }))

  it("answers the RFC 7616 MD5 example", () => {
    const retried = rfcDigest().retry(request(rfc7616.url), unauthorized(rfc7616.challenge("MD5")))
    const header = authorization(retried)
    expect(params(header)).toEqual({
      username: "Mufasa",
      realm: "http-auth@example.org",
      nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
      uri: "/dir/index.html",
      response: "8ca523f5e9506fed4657c9700eebdbec",
      opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
      algorithm: "MD5",
      qop: "auth",
      nc: "00000001",
      cnonce: rfc7616.cnonce
    })
    expect(header).toContain(", algorithm=MD5, qop=auth, nc=00000001, cnonce=")
    // The rest of the request is kept.
    expect(Option.getOrThrow(retried).headers.get("accept")).toBe("*/*")
  })

  it("answers the RFC 7616 SHA-256 example", () => {
    const header = authorization(rfcDigest().retry(request(rfc7616.url), unauthorized(rfc7616.challenge("SHA-256"))))
    expect(params(header)).toMatchObject({
      response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
      algorithm: "SHA-256",
      nc: "00000001"
    })
  })

  it("takes the first challenge it supports, among several headers or in one", () => {
    const auth = rfcDigest()
    const both = unauthorized(rfc7616.challenge("SHA-256"), rfc7616.challenge("MD5"))
    expect(params(authorization(auth.retry(request(rfc7616.url), both))).algorithm).toBe("SHA-256")
    const oneHeader = unauthorized(`Basic realm="x", Newauth abc, ${rfc7616.challenge("UNKNOWN")}, ${rfc7616.challenge("MD5")}`)
    expect(params(authorization(rfcDigest().retry(request(rfc7616.url), oneHeader))).response).toBe(
      "8ca523f5e9506fed4657c9700eebdbec"
    )
  })

  it("answers the RFC 2617 example (MD5, no algorithm parameter)", () => {
    const auth = new DigestAuth("Mufasa", "Circle Of Life", { cnonce: () => "0a4f113b" })
    const header = authorization(auth.retry(
      request("http://www.nowhere.org/dir/index.html"),
      unauthorized(
        `Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ` +
          `opaque="5ccc069c403ebaf9f0171e9517f40e41"`
      )
    ))
    expect(params(header)).toMatchObject({ response: "6629fae49393a05397450978507c4ef1", nc: "00000001" })
    expect(header).not.toContain("algorithm")
  })

  it("counts nc per nonce across requests and sends the header pre-emptively", () =>
    Effect.runPromise(Effect.gen(function*() {
      let n = 0
      const auth = new DigestAuth("Mufasa", "Circle of Life", { cnonce: () => `c${++n}` })
      const first = params(authorization(auth.retry(request(rfc7616.url), unauthorized(rfc7616.challenge("MD5")))))
      expect(first.nc).toBe("00000001")
      const next = yield* auth.apply(request("http://www.example.org/other?q=1", "POST"))
      const second = params(next.headers.get("authorization"))
      expect(second).toMatchObject({ nc: "00000002", nonce: first.nonce, uri: "/other?q=1", cnonce: "c2" })
      const ha1 = H("md5", "Mufasa:http-auth@example.org:Circle of Life")
      const ha2 = H("md5", "POST:/other?q=1")
      expect(second.response).toBe(H("md5", `${ha1}:${first.nonce}:00000002:c2:auth:${ha2}`))
      const third = params((yield* auth.apply(request(rfc7616.url))).headers.get("authorization"))
      expect(third.nc).toBe("00000003")
    })))

  it("restarts nc at a new nonce (stale), retrying the pre-emptive request once", () =>
    Effect.runPromise(Effect.gen(function*() {
      const auth = rfcDigest()
      auth.retry(request(rfc7616.url), unauthorized(rfc7616.challenge("MD5")))
      const preemptive = yield* auth.apply(request(rfc7616.url))
      expect(params(preemptive.headers.get("authorization")).nc).toBe("00000002")
      const stale = unauthorized(
        `Digest realm="http-auth@example.org", qop="auth", nonce="fresh", algorithm=MD5, stale=true`
      )
      const retried = auth.retry(preemptive, stale)
      expect(params(authorization(retried))).toMatchObject({ nonce: "fresh", nc: "00000001" })
      expect(Option.isNone(auth.retry(Option.getOrThrow(retried), stale))).toBe(true)
    })))

  it("retries exactly once: a 401 to the retried request is final", () => {
    const auth = rfcDigest()
    const challenge = unauthorized(rfc7616.challenge("MD5"))
    const retried = Option.getOrThrow(auth.retry(request(rfc7616.url), challenge))
    expect(Option.isNone(auth.retry(retried, unauthorized(rfc7616.challenge("MD5").replace("7ypf", "new1"))))).toBe(
      true
    )
    // Also when the session copied the request (a new Cookie header) before sending it.
    const retried2 = Option.getOrThrow(auth.retry(request(rfc7616.url), challenge))
    const copied = { ...retried2, headers: retried2.headers.set("Cookie", "fake=fake_value") }
    expect(Option.isNone(auth.retry(copied, challenge))).toBe(true)
  })

  it.effect("re-applying to the retried request keeps it marked as the retry", () =>
    Effect.gen(function*() {
      const auth = rfcDigest()
      const challenge = unauthorized(rfc7616.challenge("MD5"))
      const retried = Option.getOrThrow(auth.retry(request(rfc7616.url), challenge))
      const reapplied = yield* auth.apply(retried)
      expect(params(reapplied.headers.get("authorization")).nc).toBe("00000002")
      expect(Option.isNone(auth.retry(reapplied, challenge))).toBe(true)
      // A different request (another hop) gets its own retry.
      const other = yield* auth.apply(request("http://www.example.org/elsewhere"))
      expect(Option.isSome(auth.retry(other, challenge))).toBe(true)
    }))

  it("does not retry without a Digest challenge, on other statuses, or for an unknown algorithm", () => {
    const auth = rfcDigest()
    const r = request(rfc7616.url)
    expect(Option.isNone(auth.retry(r, unauthorized('Basic realm="x"')))).toBe(true)
    expect(Option.isNone(auth.retry(r, { statusCode: 401, headers: Headers.empty }))).toBe(true)
    expect(Option.isNone(auth.retry(r, { ...unauthorized(rfc7616.challenge("MD5")), statusCode: 403 }))).toBe(true)
    expect(Option.isNone(auth.retry(r, unauthorized(rfc7616.challenge("SHA3-512"))))).toBe(true)
    expect(Option.isNone(auth.retry(r, unauthorized('Digest realm="x", nonce="n", qop="auth-conf"')))).toBe(true)
  })

  it.effect("sends the pre-emptive header to the challenge's origin only", () =>
    Effect.gen(function*() {
      const auth = rfcDigest()
      auth.retry(request(rfc7616.url), unauthorized(rfc7616.challenge("MD5")))
      const elsewhere = request("http://evil.example.com/dir/index.html")
      expect(yield* auth.apply(elsewhere)).toBe(elsewhere)
      const otherScheme = request("https://www.example.org/dir/index.html")
      expect(yield* auth.apply(otherScheme)).toBe(otherScheme)
    }))

  it("computes the RFC 2069 response when the server offers no qop", () => {
    const auth = new DigestAuth("u", "p", { cnonce: () => "c" })
    const header = authorization(auth.retry(request("http://h/x"), unauthorized('Digest realm="r", nonce="n"')))
    const p = params(header)
    expect(p.response).toBe(H("md5", `${H("md5", "u:r:p")}:n:${H("md5", "GET:/x")}`))
    expect(p.qop).toBeUndefined()
    expect(p.nc).toBeUndefined()
  })

  it("hashes the body when auth-int is all the server offers", () => {
    const body = new TextEncoder().encode("payload")
    const auth = new DigestAuth("u", "p", { cnonce: () => "c" })
    const p = params(authorization(auth.retry(
      request("http://h/x", "POST", body),
      unauthorized('Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256')
    )))
    const ha2 = H("sha256", `POST:/x:${H("sha256", body)}`)
    expect(p.qop).toBe("auth-int")
    expect(p.response).toBe(H("sha256", `${H("sha256", "u:r:p")}:n:00000001:c:auth-int:${ha2}`))
  })

  it("supports -sess and SHA-512-256", () => {
    const auth = new DigestAuth("u", "p", { cnonce: () => "c" })
    const sess = params(authorization(auth.retry(
      request("http://h/x"),
      unauthorized('Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess')
    )))
    const ha1 = H("md5", `${H("md5", "u:r:p")}:n:c`)
    expect(sess.response).toBe(H("md5", `${ha1}:n:00000001:c:auth:${H("md5", "GET:/x")}`))
    const sha = params(authorization(new DigestAuth("u", "p", { cnonce: () => "c" }).retry(
      request("http://h/x"),
      unauthorized('Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256')
    )))
    expect(sha.response).toBe(
      H("sha512-256", `${H("sha512-256", "u:r:p")}:n:00000001:c:auth:${H("sha512-256", "GET:/x")}`)
    )
  })

  it("escapes quotes and backslashes; hashes the username with userhash", () => {
    const auth = new DigestAuth('a"b\\c', "p", { cnonce: () => "c" })
    const header = authorization(auth.retry(request("http://h/"), unauthorized('Digest realm="r\\"q", nonce="n"')))
    expect(header).toContain('username="a\\"b\\\\c", realm="r\\"q"')
    expect(params(header).response).toBe(H("md5", `${H("md5", 'a"b\\c:r"q:p')}:n:${H("md5", "GET:/")}`))
    const hashed = authorization(new DigestAuth("u", "p").retry(
      request("http://h/"),
      unauthorized('Digest realm="r", nonce="n", qop="auth", userhash=true')
    ))
    expect(params(hashed)).toMatchObject({ username: H("md5", "u:r"), userhash: "true" })
  })

  it("sends username* for a name outside Latin-1", () => {
    const header = authorization(new DigestAuth("Jäsøn 名", "p").retry(
      request("http://h/"),
      unauthorized('Digest realm="r", nonce="n", qop="auth"')
    ))
    expect(header).toContain("username*=UTF-8''J%C3%A4s%C3%B8n%20%E5%90%8D, ")
  })

  it.effect("a username with CR/LF fails apply with InvalidHeader and is never retried", () =>
    Effect.gen(function*() {
      const auth: Authenticator = new DigestAuth("user\r\nX-Evil: 1", "p")
      const error = yield* Effect.flip(auth.apply(request("http://h/a")))
      expect(error).toMatchObject({ _tag: "InvalidHeader", method: "GET", url: "http://h/a", header: "Authorization" })
      expect(Option.isNone(auth.retry!(request("http://h/a"), unauthorized('Digest realm="r", nonce="n"')))).toBe(true)
    }))

  it("parses challenges: quoted commas, escapes, token68, parameter case", () => {
    const parsed = parseChallenges([
      'Basic abc/def==, Digest REALM="a, \\"b\\"", Nonce=xyz, qop="auth", Bearer',
      "Negotiate"
    ])
    expect(parsed.map((c) => c.scheme)).toEqual(["basic", "digest", "bearer", "negotiate"])
    expect(parsed[1]?.params.get("realm")).toBe('a, "b"')
    expect(findChallenge(['Digest realm="a, \\"b\\"", Nonce=xyz, QOP="AUTH"'])).toMatchObject({
      realm: 'a, "b"',
      nonce: "xyz",
      qop: ["auth"],
      stale: false
    })
  })
})

describe("DigestAuth against httpbin (real sockets)", () => {
  let server: HttpbinServer
  beforeAll(async () => {
    server = await startHttpbin()
  })
  afterAll(() => server.close())

  const send = async (r: PreparedRequest) => {
    const response = await fetch(r.url, {
      method: r.method,
      headers: [...r.headers].map(([name, value]): [string, string] => [name, value])
    })
    const body = await response.text()
    return { statusCode: response.status, headers: Headers.from([...response.headers]), body }
  }

  /** What the session does: apply, send, and on a challenge send the retry once. */
  const login = async (auth: DigestAuth, url: string) => {
    const first = await Effect.runPromise(auth.apply(request(url)))
    const answer = await send(first)
    const retried = auth.retry(first, answer)
    if (Option.isNone(retried)) return { first: answer, final: answer }
    const final = await send(retried.value)
    expect(Option.isNone(auth.retry(retried.value, final))).toBe(true)
    return { first: answer, final }
  }

  for (const [qop, algorithm] of [["auth", "MD5"], ["auth", "SHA-256"], ["auth", "SHA-512-sess"], ["auth-int", "SHA-256"]]) {
    it(`logs in to /digest-auth/${qop}/user/passwd/${algorithm}, then pre-emptively`, async () => {
      const auth = new DigestAuth("user", "passwd")
      const url = `${server.url}/digest-auth/${qop}/user/passwd/${algorithm}`
      const { first, final } = await login(auth, url)
      expect(first.statusCode).toBe(401)
      expect(final.statusCode).toBe(200)
      expect(JSON.parse(final.body)).toEqual({ authenticated: true, user: "user" })
      // The next request carries nc=00000002 for the same nonce and needs no challenge.
      const next = await Effect.runPromise(auth.apply(request(url)))
      expect(params(next.headers.get("authorization")).nc).toBe("00000002")
      expect((await send(next)).statusCode).toBe(200)
    })
  }

  it("stops after one retry with a wrong password", async () => {
    const { first, final } = await login(
      new DigestAuth("user", "wrong"),
      `${server.url}/digest-auth/auth/user/passwd/MD5`
    )
    expect(first.statusCode).toBe(401)
    expect(final.statusCode).toBe(401)
  })
})
