import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { fetchJson, rawRequest, useHttpbin } from "./helpers.js"

const httpbin = useHttpbin()

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

describe("basic auth", () => {
  it("/basic-auth/:user/:passwd accepts the right credentials", async () => {
    const { res, body } = await fetchJson(`${httpbin().url}/basic-auth/alice/secret`, {
      headers: { Authorization: basic("alice", "secret") }
    })
    expect(res.status).toBe(200)
    expect(body).toEqual({ authenticated: true, user: "alice" })
  })

  it("/basic-auth/:user/:passwd challenges otherwise", async () => {
    for (const headers of [{}, { Authorization: basic("alice", "wrong") }, { Authorization: "Bearer x" }]) {
      const res = await fetch(`${httpbin().url}/basic-auth/alice/secret`, { headers })
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="Fake Realm"')
    }
  })

  it("/hidden-basic-auth answers 404 instead of challenging", async () => {
    const denied = await fetch(`${httpbin().url}/hidden-basic-auth/bob/pw`)
    expect(denied.status).toBe(404)
    expect(denied.headers.get("www-authenticate")).toBeNull()
    const { body } = await fetchJson(`${httpbin().url}/hidden-basic-auth/bob/pw`, {
      headers: { Authorization: basic("bob", "pw") }
    })
    expect(body).toEqual({ authenticated: true, user: "bob" })
  })
})

describe("/bearer", () => {
  it("returns the token", async () => {
    const { body } = await fetchJson(`${httpbin().url}/bearer`, { headers: { Authorization: "Bearer abc.def" } })
    expect(body).toEqual({ authenticated: true, token: "abc.def" })
  })

  it("challenges without a bearer token", async () => {
    const res = await fetch(`${httpbin().url}/bearer`, { headers: { Authorization: basic("a", "b") } })
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toBe("Bearer")
  })
})

/** A small RFC 7616 client, written independently of the server's code. */
const parseChallenge = (header: string): Map<string, string> => {
  const params = new Map<string, string>()
  for (const m of header.replace(/^Digest\s+/i, "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params.set(m[1]!, m[2] ?? m[3] ?? "")
  }
  return params
}

interface DigestInput {
  readonly challenge: Map<string, string>
  readonly method: string
  readonly uri: string
  readonly user: string
  readonly password: string
  readonly qop?: string
  readonly nc?: string
  readonly cnonce?: string
  readonly body?: string
  readonly nonce?: string
}

const authorization = (input: DigestInput): string => {
  const algorithm = input.challenge.get("algorithm") ?? "MD5"
  const hash = (s: string) =>
    createHash(algorithm.startsWith("SHA-256") ? "sha256" : algorithm.startsWith("SHA-512") ? "sha512" : "md5")
      .update(s)
      .digest("hex")
  const realm = input.challenge.get("realm")!
  const nonce = input.nonce ?? input.challenge.get("nonce")!
  const qop = input.qop ?? "auth"
  const nc = input.nc ?? "00000001"
  const cnonce = input.cnonce ?? "0a4f113b"
  let ha1 = hash(`${input.user}:${realm}:${input.password}`)
  if (algorithm.endsWith("-sess")) ha1 = hash(`${ha1}:${nonce}:${cnonce}`)
  const ha2 =
    qop === "auth-int"
      ? hash(`${input.method}:${input.uri}:${hash(input.body ?? "")}`)
      : hash(`${input.method}:${input.uri}`)
  const response = hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
  return (
    `Digest username="${input.user}", realm="${realm}", nonce="${nonce}", uri="${input.uri}", ` +
    `algorithm=${algorithm}, qop=${qop}, nc=${nc}, cnonce="${cnonce}", response="${response}", ` +
    `opaque="${input.challenge.get("opaque")!}"`
  )
}

const challengeFor = async (path: string) => {
  const res = await fetch(`${httpbin().url}${path}`)
  expect(res.status).toBe(401)
  return { res, challenge: parseChallenge(res.headers.get("www-authenticate")!) }
}

describe("/digest-auth", () => {
  it("challenges with a fresh nonce, the fake cookie and stale_after", async () => {
    const { res, challenge } = await challengeFor("/digest-auth/auth/user/passwd")
    expect(res.headers.get("www-authenticate")).toMatch(
      /^Digest realm="me@kennethreitz.com", nonce="[0-9a-f]{32}", opaque="[0-9a-f]{32}", qop="auth", algorithm=MD5, stale=FALSE$/
    )
    expect(challenge.get("qop")).toBe("auth")
    expect(res.headers.getSetCookie()).toEqual(["stale_after=never; Path=/", "fake=fake_value; Path=/"])
  })

  it.each([
    ["/digest-auth/auth/user/passwd", "MD5"],
    ["/digest-auth/auth/user/passwd/MD5", "MD5"],
    ["/digest-auth/auth/user/passwd/SHA-256", "SHA-256"],
    ["/digest-auth/auth/user/passwd/SHA-512", "SHA-512"],
    ["/digest-auth/auth/user/passwd/MD5-sess", "MD5-sess"]
  ])("%s authenticates a correct %s response", async (path, algorithm) => {
    const { challenge } = await challengeFor(path)
    expect(challenge.get("algorithm")).toBe(algorithm)
    const { res, body } = await fetchJson(`${httpbin().url}${path}`, {
      headers: { Authorization: authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd" }) }
    })
    expect(res.status).toBe(200)
    expect(body).toEqual({ authenticated: true, user: "user" })
  })

  it("supports qop=auth-int, hashing the body", async () => {
    const path = "/digest-auth/auth-int/user/passwd/SHA-256"
    const { challenge } = await challengeFor(path)
    expect(challenge.get("qop")).toBe("auth-int")
    const res = await rawRequest(`${httpbin().url}${path}`, {
      headers: {
        Authorization: authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd", qop: "auth-int", body: "payload" }),
        "Content-Type": "text/plain"
      },
      body: "payload"
    })
    expect(res.status).toBe(200)
  })

  it("offers both qops for other qop segments and verifies the query in the uri", async () => {
    const path = "/digest-auth/any/user/passwd?x=1"
    const { challenge } = await challengeFor(path)
    expect(challenge.get("qop")).toBe("auth, auth-int")
    const ok = await fetch(`${httpbin().url}${path}`, {
      headers: { Authorization: authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd" }) }
    })
    expect(ok.status).toBe(200)
  })

  it("rejects a wrong password, user, uri or algorithm with stale=FALSE", async () => {
    const path = "/digest-auth/auth/user/passwd"
    for (const override of [
      { password: "wrong" },
      { user: "mallory" },
      { uri: "/digest-auth/auth/user/other" }
    ]) {
      const { challenge } = await challengeFor(path)
      const res = await fetch(`${httpbin().url}${path}`, {
        headers: {
          Authorization: authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd", ...override })
        }
      })
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toContain("stale=FALSE")
    }
    const { challenge } = await challengeFor(`${path}/SHA-256`)
    challenge.set("algorithm", "MD5") // the client insists on MD5 against a SHA-256 route
    const res = await fetch(`${httpbin().url}${path}/SHA-256`, {
      headers: { Authorization: authorization({ challenge, method: "GET", uri: `${path}/SHA-256`, user: "user", password: "passwd" }) }
    })
    expect(res.status).toBe(401)
  })

  it("accepts increasing nonce counts but answers stale=TRUE to a replayed one", async () => {
    const path = "/digest-auth/auth/user/passwd"
    const { challenge } = await challengeFor(path)
    const send = (nc: string) =>
      fetch(`${httpbin().url}${path}`, {
        headers: { Authorization: authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd", nc }) }
      })
    expect((await send("00000001")).status).toBe(200)
    expect((await send("00000002")).status).toBe(200)
    const replay = await send("00000002")
    expect(replay.status).toBe(401)
    expect(replay.headers.get("www-authenticate")).toContain("stale=TRUE")
  })

  it("answers stale=TRUE to a correct hash over a nonce it never issued", async () => {
    const path = "/digest-auth/auth/user/passwd"
    const { challenge } = await challengeFor(path)
    const res = await fetch(`${httpbin().url}${path}`, {
      headers: {
        Authorization: authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd", nonce: "f".repeat(32) })
      }
    })
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toContain("stale=TRUE")
  })

  it("?require-cookie=true insists on the fake cookie", async () => {
    const path = "/digest-auth/auth/user/passwd?require-cookie=true"
    const { challenge } = await challengeFor(path)
    const header = authorization({ challenge, method: "GET", uri: path, user: "user", password: "passwd" })
    const without = await fetch(`${httpbin().url}${path}`, { headers: { Authorization: header, Cookie: "other=1" } })
    expect(without.status).toBe(403)
    const withCookie = await fetch(`${httpbin().url}${path}`, {
      headers: { Authorization: header, Cookie: "fake=fake_value" }
    })
    expect(withCookie.status).toBe(200)
  })
})
