/**
 * HTTP Digest (RFC 7616, with RFC 2617/2069 fallbacks): parsing `WWW-Authenticate` challenges and
 * computing the `Authorization` value. Pure functions; the nonce counting lives in `Auth.DigestAuth`.
 *
 * @internal
 */
import * as Crypto from "node:crypto"

/** One `Digest` challenge, parameter names lower-cased, quoted values unescaped. */
export interface Challenge {
  readonly realm: string
  readonly nonce: string
  readonly opaque: string | undefined
  /** As the server spelled it (echoed back); `undefined` when absent, which means MD5. */
  readonly algorithm: string | undefined
  /** The offered qop values (`auth`, `auth-int`); empty for an RFC 2069 challenge without qop. */
  readonly qop: ReadonlyArray<string>
  readonly stale: boolean
  readonly userhash: boolean
}

interface RawChallenge {
  readonly scheme: string
  readonly params: Map<string, string>
}

// RFC 9110 token characters.
const tchar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/

/**
 * Splits header values into challenges (RFC 9110 §11.6.1): `scheme [token68 | #auth-param]`,
 * comma-separated, where a new challenge starts at a token not followed by "=". Lenient: junk is
 * skipped rather than failing the whole header, since one bad challenge must not hide a good one.
 */
export const parseChallenges = (values: ReadonlyArray<string>): Array<RawChallenge> => {
  const out: Array<RawChallenge> = []
  for (const value of values) {
    const n = value.length
    let i = 0
    let current: RawChallenge | undefined
    // A token not followed by "=" starts a challenge at the start or after a comma; right after a
    // scheme it is that scheme's token68 (`Basic QWxh...`), which we have no use for.
    let afterComma = true
    const skipSpace = () => {
      while (i < n && (value[i] === " " || value[i] === "\t")) i++
    }
    const readToken = (): string => {
      const start = i
      while (i < n && tchar.test(value[i]!)) i++
      return value.slice(start, i)
    }
    while (i < n) {
      skipSpace()
      if (i >= n) break
      if (value[i] === ",") {
        afterComma = true
        i++
        continue
      }
      const token = readToken()
      if (token === "") {
        i++ // a stray character (token68's "/", a bad quote): skip it
        continue
      }
      skipSpace()
      if (value[i] !== "=") {
        if (afterComma || current === undefined) {
          current = { scheme: token.toLowerCase(), params: new Map() }
          out.push(current)
        }
        afterComma = false
        continue
      }
      // `name=value`, unless several "=" or a comma/the end follow (a token68's padding).
      let j = i
      while (j < n && value[j] === "=") j++
      let k = j
      while (k < n && (value[k] === " " || value[k] === "\t")) k++
      afterComma = false
      if (j !== i + 1 || k >= n || value[k] === ",") {
        i = j
        continue
      }
      i = k
      let paramValue: string
      if (value[i] === '"') {
        i++
        let s = ""
        while (i < n && value[i] !== '"') {
          if (value[i] === "\\" && i + 1 < n) i++
          s += value[i]
          i++
        }
        i++ // the closing quote
        paramValue = s
      } else {
        paramValue = readToken()
      }
      const name = token.toLowerCase()
      if (current !== undefined && !current.params.has(name)) current.params.set(name, paramValue)
    }
  }
  return out
}

/** The first `Digest` challenge we can answer, in the server's order of preference (RFC 7616 §3.7). */
export const findChallenge = (values: ReadonlyArray<string>): Challenge | undefined => {
  if (values.length === 0) return undefined
  for (const raw of parseChallenges(values)) {
    if (raw.scheme !== "digest") continue
    const nonce = raw.params.get("nonce")
    if (nonce === undefined) continue
    const algorithm = raw.params.get("algorithm")
    if (hashOf(algorithm) === undefined) continue
    const qop = (raw.params.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase()).filter((q) => q !== "")
    if (qop.length > 0 && !qop.includes("auth") && !qop.includes("auth-int")) continue
    return {
      realm: raw.params.get("realm") ?? "",
      nonce,
      opaque: raw.params.get("opaque"),
      algorithm,
      qop,
      stale: raw.params.get("stale")?.toLowerCase() === "true",
      userhash: raw.params.get("userhash")?.toLowerCase() === "true"
    }
  }
  return undefined
}

// Digest algorithm names → node:crypto hash names. "SHA" (SHA-1) is what requests also accepts.
const hashes: ReadonlyMap<string, string> = new Map(
  [
    ["MD5", "md5"],
    ["SHA", "sha1"],
    ["SHA-256", "sha256"],
    ["SHA-512", "sha512"],
    ["SHA-512-256", "sha512-256"]
  ].filter(([, hash]) => Crypto.getHashes().includes(hash!)) as Array<[string, string]>
)

/** The node hash and whether it is a `-sess` variant; `undefined` for an algorithm we lack. */
export const hashOf = (algorithm: string | undefined): { readonly hash: string; readonly sess: boolean } | undefined => {
  const name = (algorithm ?? "MD5").toUpperCase()
  const sess = name.endsWith("-SESS")
  const hash = hashes.get(sess ? name.slice(0, -5) : name)
  return hash === undefined ? undefined : { hash, sess }
}

const hex = (hash: string, data: string | Uint8Array): string => Crypto.createHash(hash).update(data).digest("hex")

export const defaultCnonce = (): string => Crypto.randomBytes(16).toString("hex")

const quote = (s: string): string => `"${s.replace(/[\\"]/g, "\\$&")}"`

// Outside Latin-1 a header cannot carry the name as is: RFC 7616 §3.4.4 `username*` (RFC 8187).
const needsExtended = /[^\u0020-\u007e\u00a0-\u00ff]/

const extValue = (s: string): string =>
  `UTF-8''${encodeURIComponent(s).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`

export interface DigestInput {
  readonly username: string
  readonly password: string
  readonly method: string
  /** The request-target: path and query. */
  readonly uri: string
  readonly body: Uint8Array | undefined
  readonly challenge: Challenge
  readonly nc: number
  readonly cnonce: string
}

/** The `Authorization` value answering `challenge` (requests' `build_digest_header`), text hashed as UTF-8. */
export const authorization = (input: DigestInput): string | undefined => {
  const { challenge } = input
  const algo = hashOf(challenge.algorithm)
  if (algo === undefined) return undefined
  const H = (data: string | Uint8Array) => hex(algo.hash, data)
  // Prefer plain auth; auth-int (which also hashes the body) only when it is all the server offers.
  const qop = challenge.qop.length === 0 ? undefined : challenge.qop.includes("auth") ? "auth" : "auth-int"
  const nc = input.nc.toString(16).padStart(8, "0")
  let ha1 = H(`${input.username}:${challenge.realm}:${input.password}`)
  if (algo.sess) ha1 = H(`${ha1}:${challenge.nonce}:${input.cnonce}`)
  const ha2 = qop === "auth-int"
    ? H(`${input.method}:${input.uri}:${H(input.body ?? new Uint8Array(0))}`)
    : H(`${input.method}:${input.uri}`)
  const response = qop === undefined
    ? H(`${ha1}:${challenge.nonce}:${ha2}`)
    : H(`${ha1}:${challenge.nonce}:${nc}:${input.cnonce}:${qop}:${ha2}`)

  const user = challenge.userhash
    ? `username=${quote(H(`${input.username}:${challenge.realm}`))}`
    : needsExtended.test(input.username)
    ? `username*=${extValue(input.username)}`
    : `username=${quote(input.username)}`
  let header = `Digest ${user}, realm=${quote(challenge.realm)}, nonce=${quote(challenge.nonce)}, uri=${
    quote(input.uri)
  }, response="${response}"`
  if (challenge.opaque !== undefined) header += `, opaque=${quote(challenge.opaque)}`
  if (challenge.algorithm !== undefined) header += `, algorithm=${challenge.algorithm}`
  if (qop !== undefined) header += `, qop=${qop}, nc=${nc}, cnonce=${quote(input.cnonce)}`
  else if (algo.sess) header += `, cnonce=${quote(input.cnonce)}`
  if (challenge.userhash) header += ", userhash=true"
  return header
}
