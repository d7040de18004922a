import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/**
 * HTTP Digest authentication (RFC 7616) for /digest-auth. Unlike httpbin, which accepts any
 * nonce and takes the algorithm from the client, this verifies the response hash against the
 * route's algorithm, the request-target, a nonce this server issued and an unused nonce count,
 * so a client with a wrong digest implementation fails here as it would against a real server.
 */

export const REALM = "me@kennethreitz.com"

export const DIGEST_ALGORITHMS = ["MD5", "SHA-256", "SHA-512", "MD5-sess", "SHA-256-sess", "SHA-512-sess"] as const
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number]

export type Qop = "auth" | "auth-int"

const hashName = (algorithm: DigestAlgorithm): string =>
  algorithm.startsWith("SHA-256") ? "sha256" : algorithm.startsWith("SHA-512") ? "sha512" : "md5"

const H = (algorithm: DigestAlgorithm, data: string | Buffer): string =>
  createHash(hashName(algorithm)).update(data).digest("hex")

/** Unknown algorithm names fall back to MD5, as httpbin does. */
export const digestAlgorithm = (name: string | undefined): DigestAlgorithm =>
  DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === name?.toLowerCase()) ?? "MD5"

interface IssuedNonce {
  readonly opaque: string
  readonly usedCounts: Set<string>
}

/** Nonces this server handed out, bounded so a long benchmark cannot grow it forever. */
export class NonceStore {
  private readonly nonces = new Map<string, IssuedNonce>()
  constructor(private readonly capacity = 10_000) {}

  issue(algorithm: DigestAlgorithm): { readonly nonce: string; readonly opaque: string } {
    const nonce = H(algorithm, randomBytes(16))
    const opaque = H(algorithm, randomBytes(16))
    this.nonces.set(nonce, { opaque, usedCounts: new Set() })
    if (this.nonces.size > this.capacity) {
      const oldest = this.nonces.keys().next()
      if (oldest.done !== true) this.nonces.delete(oldest.value)
    }
    return { nonce, opaque }
  }

  get(nonce: string): IssuedNonce | undefined {
    return this.nonces.get(nonce)
  }
}

export interface Challenge {
  readonly qop: Qop | undefined
  readonly algorithm: DigestAlgorithm
  readonly stale: boolean
}

/** The WWW-Authenticate value for a fresh challenge, formatted as werkzeug does. */
export const challengeHeader = (store: NonceStore, challenge: Challenge): string => {
  const { nonce, opaque } = store.issue(challenge.algorithm)
  const qop = challenge.qop ?? "auth, auth-int"
  return (
    `Digest realm="${REALM}", nonce="${nonce}", opaque="${opaque}", qop="${qop}", ` +
    `algorithm=${challenge.algorithm}, stale=${challenge.stale ? "TRUE" : "FALSE"}`
  )
}

/** Parses `Digest k=v, k="quoted, \"escaped\""`; undefined unless the scheme is Digest. */
export const parseDigestAuthorization = (header: string): ReadonlyMap<string, string> | undefined => {
  const match = /^\s*digest\s+/i.exec(header)
  if (match === null) return undefined
  const params = new Map<string, string>()
  let i = match[0].length
  while (i < header.length) {
    while (i < header.length && /[\s,]/.test(header[i]!)) i++
    const eq = header.indexOf("=", i)
    if (eq === -1) break
    const key = header.slice(i, eq).trim().toLowerCase()
    i = eq + 1
    while (header[i] === " " || header[i] === "\t") i++
    let value = ""
    if (header[i] === '"') {
      i++
      while (i < header.length && header[i] !== '"') {
        if (header[i] === "\\" && i + 1 < header.length) i++
        value += header[i]
        i++
      }
      i++ // closing quote
    } else {
      const end = header.indexOf(",", i)
      value = (end === -1 ? header.slice(i) : header.slice(i, end)).trim()
      i = end === -1 ? header.length : end
    }
    params.set(key, value)
  }
  return params
}

export interface DigestRequest {
  readonly method: string
  /** The request-target as received (path and query). */
  readonly target: string
  readonly body: Buffer
  readonly user: string
  readonly password: string
  readonly algorithm: DigestAlgorithm
  /** The qop the route demands; undefined offers both and also allows RFC 2069 (no qop). */
  readonly qop: Qop | undefined
}

export type DigestVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly stale: boolean; readonly reason: string }

const fail = (reason: string, stale = false): DigestVerdict => ({ ok: false, stale, reason })

const sameUri = (uri: string, target: string): boolean => {
  if (uri === target) return true
  try {
    const parsed = new URL(uri)
    return parsed.pathname + parsed.search === target
  } catch {
    return false
  }
}

const constantTimeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a.toLowerCase())
  const y = Buffer.from(b.toLowerCase())
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The expected `response` directive for the given credentials (RFC 7616 section 3.4.1). */
export const expectedResponse = (credentials: ReadonlyMap<string, string>, request: DigestRequest): string => {
  const alg = request.algorithm
  const nonce = credentials.get("nonce") ?? ""
  const cnonce = credentials.get("cnonce") ?? ""
  const qop = credentials.get("qop")
  let ha1 = H(alg, `${credentials.get("username") ?? ""}:${credentials.get("realm") ?? ""}:${request.password}`)
  if (alg.endsWith("-sess")) ha1 = H(alg, `${ha1}:${nonce}:${cnonce}`)
  const a2 =
    qop === "auth-int"
      ? `${request.method}:${credentials.get("uri") ?? ""}:${H(alg, request.body)}`
      : `${request.method}:${credentials.get("uri") ?? ""}`
  const ha2 = H(alg, a2)
  return qop === undefined
    ? H(alg, `${ha1}:${nonce}:${ha2}`)
    : H(alg, `${ha1}:${nonce}:${credentials.get("nc") ?? ""}:${cnonce}:${qop}:${ha2}`)
}

/** Verifies a Digest Authorization against the route and the nonces this server issued. */
export const verifyDigest = (
  credentials: ReadonlyMap<string, string>,
  request: DigestRequest,
  store: NonceStore
): DigestVerdict => {
  for (const key of ["username", "realm", "nonce", "uri", "response"]) {
    if (!credentials.has(key)) return fail(`missing ${key}`)
  }
  const qop = credentials.get("qop")
  if (qop !== undefined) {
    if (!credentials.has("cnonce")) return fail("missing cnonce")
    if (!/^[0-9a-fA-F]{8}$/.test(credentials.get("nc") ?? "")) return fail("missing or malformed nc")
  }
  if (request.qop !== undefined ? qop !== request.qop : qop !== undefined && qop !== "auth" && qop !== "auth-int") {
    return fail(`qop ${qop ?? "(none)"} not offered`)
  }
  if (credentials.get("username") !== request.user) return fail("wrong username")
  if (credentials.get("realm") !== REALM) return fail("wrong realm")
  const algorithm = (credentials.get("algorithm") ?? "MD5").toLowerCase()
  if (algorithm !== request.algorithm.toLowerCase()) return fail("wrong algorithm")
  if (!sameUri(credentials.get("uri")!, request.target)) return fail("uri does not match the request-target")
  if (!constantTimeEqual(credentials.get("response")!, expectedResponse(credentials, request))) {
    return fail("wrong response hash")
  }
  // The hash is right; what remains is whether the nonce is still good (stale=TRUE if not).
  const issued = store.get(credentials.get("nonce")!)
  if (issued === undefined) return fail("unknown nonce", true)
  const opaque = credentials.get("opaque")
  if (opaque !== undefined && opaque !== issued.opaque) return fail("wrong opaque")
  const nc = credentials.get("nc")
  if (nc !== undefined) {
    // Only exact repeats are replays: concurrent requests may arrive with counts out of order.
    const count = nc.toLowerCase()
    if (issued.usedCounts.has(count)) return fail("nonce count reused", true)
    issued.usedCounts.add(count)
  }
  return { ok: true }
}
