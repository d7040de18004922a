/**
 * The `Link` header (RFC 8288) as requests' `Response.links` reads it.
 *
 * @internal
 */

/** One link: its target as sent (relative targets are not resolved, as in requests) and its parameters. */
export interface Link {
  readonly url: string
  readonly [param: string]: string
}

export type Links = Readonly<Record<string, Link>>

const noLinks: Links = Object.freeze({})

/**
 * requests' `Response.links`: each link keyed by its `rel` (the whole value, `"next last"` stays
 * one key, as in requests), else by its URL; a later link with the same key replaces an earlier
 * one, as in requests.
 *
 * Unlike requests' split on `", *<"` and `";"`, commas and semicolons inside `<...>` and quoted
 * strings are kept, quoted strings are unescaped, parameter names are lower-cased (they are
 * case-insensitive) and the first occurrence of a parameter wins (RFC 8288 §3.3). A parameter
 * without a value is kept as `""`; a parameter named `url` cannot replace the target.
 */
export const parseLinks = (header: string | undefined): Links => {
  if (header === undefined || header.trim() === "") return noLinks
  const links: Record<string, Link> = {}
  const n = header.length
  let i = 0
  while (i < n) {
    while (i < n && (isSpace(header.charCodeAt(i)) || header.charCodeAt(i) === 0x2c /* , */)) i++
    if (i >= n) break
    // The target: `<...>`, or leniently (as requests) whatever precedes the first ";" or ",".
    let url: string
    if (header.charCodeAt(i) === 0x3c /* < */) {
      const close = header.indexOf(">", i + 1)
      const end = close < 0 ? n : close
      url = header.slice(i + 1, end).trim()
      i = close < 0 ? n : close + 1
    } else {
      const end = until(header, i, ";,")
      url = header.slice(i, end).replace(targetJunkRe, "")
      i = end
    }
    const link: { url: string; [param: string]: string } = { url }
    // Parameters: `; name`, `; name=token`, `; name="quoted \" string"`, up to the next ",".
    while (i < n) {
      i = skipSpace(header, i)
      const c = header.charCodeAt(i)
      if (c === 0x2c /* , */) break
      if (c !== 0x3b /* ; */) {
        // Junk after the target or a value: skip to the next parameter or link.
        i = until(header, i, ";,")
        continue
      }
      i = skipSpace(header, i + 1)
      const nameEnd = until(header, i, "=;,")
      const name = header.slice(i, nameEnd).trim().toLowerCase()
      i = nameEnd
      let value = ""
      if (header.charCodeAt(i) === 0x3d /* = */) {
        i = skipSpace(header, i + 1)
        if (header.charCodeAt(i) === 0x22 /* " */) {
          const quoted = readQuoted(header, i)
          value = quoted.value
          i = quoted.end
        } else {
          const end = until(header, i, ";,")
          // requests also strips single quotes: `rel='next'`.
          value = header.slice(i, end).replace(valueJunkRe, "")
          i = end
        }
      }
      if (name !== "" && name !== "url" && !Object.hasOwn(link, name)) set(link, name, value)
    }
    const rel = link["rel"]
    set<Link>(links, rel !== undefined && rel !== "" ? rel : url, link)
  }
  return links
}

// What requests strips from an unbracketed target.
const targetJunkRe = /^[<>\s'"]+|[<>\s'"]+$/g
const valueJunkRe = /^[\s']+|[\s']+$/g

// Optional whitespace (and the line breaks of a folded header).
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d

const skipSpace = (s: string, i: number): number => {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++
  return i
}

const until = (s: string, i: number, stops: string): number => {
  while (i < s.length && !stops.includes(s[i]!)) i++
  return i
}

// A quoted-string from its opening quote: the unescaped value and the index after the closing quote.
const readQuoted = (s: string, start: number): { readonly value: string; readonly end: number } => {
  let value = ""
  let i = start + 1
  let from = i
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c === 0x22 /* " */) return { value: value + s.slice(from, i), end: i + 1 }
    if (c === 0x5c /* \ */ && i + 1 < s.length) {
      value += s.slice(from, i)
      from = i + 1
      i += 2
      continue
    }
    i++
  }
  // Unterminated: take the rest, as a lenient parser must.
  return { value: value + s.slice(from), end: s.length }
}

// "__proto__" as a plain assignment would set the prototype, not a key.
const set = <V>(target: Record<string, V>, key: string, value: V): void => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
