/**
 * A multipart/form-data parser (RFC 7578 over RFC 2046 framing). The whole body is already in
 * memory, so this works on a Buffer; it is strict about framing because a test server should
 * say 400 to a malformed body rather than guess.
 */

export interface MultipartPart {
  readonly name: string
  /** Present (possibly "") when the part's Content-Disposition has a filename: a file upload. */
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly data: Buffer
}

export class MultipartError extends Error {
  override readonly name = "MultipartError"
}

const HEADER_END = Buffer.from("\r\n\r\n")

export interface HeaderValue {
  readonly value: string
  readonly params: ReadonlyMap<string, string>
}

/**
 * Parses `type; key=value; key="quoted \"value\""` (Content-Type, Content-Disposition).
 * Parameter names are lower-cased; `key*` (RFC 8187) values are decoded and win over `key`.
 */
export const parseHeaderValue = (header: string): HeaderValue => {
  const params = new Map<string, string>()
  const extended = new Map<string, string>()
  let i = header.indexOf(";")
  const value = (i === -1 ? header : header.slice(0, i)).trim()
  while (i !== -1 && i < header.length) {
    i++ // past ";"
    const eq = header.indexOf("=", i)
    const nextSemi = header.indexOf(";", i)
    if (eq === -1 || (nextSemi !== -1 && nextSemi < eq)) {
      i = nextSemi
      continue
    }
    const key = header.slice(i, eq).trim().toLowerCase()
    let j = eq + 1
    while (header[j] === " " || header[j] === "\t") j++
    let paramValue = ""
    if (header[j] === '"') {
      j++
      while (j < header.length && header[j] !== '"') {
        if (header[j] === "\\" && j + 1 < header.length) j++
        paramValue += header[j]
        j++
      }
      i = header.indexOf(";", j)
    } else {
      const end = header.indexOf(";", j)
      paramValue = (end === -1 ? header.slice(j) : header.slice(j, end)).trim()
      i = end
    }
    if (key.endsWith("*")) extended.set(key.slice(0, -1), decodeExtendedValue(paramValue))
    else if (key !== "") params.set(key, paramValue)
  }
  for (const [key, v] of extended) params.set(key, v)
  return { value, params }
}

// RFC 8187: charset'language'percent-encoded. Only UTF-8 and ISO-8859-1 are worth supporting.
const decodeExtendedValue = (text: string): string => {
  const match = /^([^']*)'[^']*'(.*)$/.exec(text)
  if (match === null) return text
  const bytes = Buffer.from(
    match[2]!.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    "latin1"
  )
  return match[1]!.toLowerCase() === "iso-8859-1" ? bytes.toString("latin1") : bytes.toString("utf8")
}

/** The boundary of a multipart Content-Type, or undefined when it is missing or unusable. */
export const boundaryOf = (contentType: string): string | undefined => {
  const boundary = parseHeaderValue(contentType).params.get("boundary")
  // RFC 2046: 1 to 70 characters.
  return boundary !== undefined && boundary.length > 0 && boundary.length <= 70 ? boundary : undefined
}

const parsePartHeaders = (block: Buffer): Array<readonly [string, string]> => {
  const headers: Array<[string, string]> = []
  for (const line of block.toString("utf8").split("\r\n")) {
    if (line === "") continue
    if ((line.startsWith(" ") || line.startsWith("\t")) && headers.length > 0) {
      const last = headers[headers.length - 1]!
      last[1] += " " + line.trim() // obsolete line folding
      continue
    }
    const colon = line.indexOf(":")
    if (colon <= 0) throw new MultipartError(`malformed part header: ${JSON.stringify(line)}`)
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()])
  }
  return headers
}

/**
 * The next CRLF--boundary that really is a delimiter line: followed by "--" (the close
 * delimiter) or by optional transport padding and CRLF. "--boundaryX" inside content is not one.
 */
const findDelimiter = (body: Buffer, delimiter: Buffer, from: number): number => {
  for (let at = body.indexOf(delimiter, from); at !== -1; at = body.indexOf(delimiter, at + 1)) {
    let next = at + delimiter.length
    if (body[next] === 0x2d && body[next + 1] === 0x2d) return at
    while (body[next] === 0x20 || body[next] === 0x09) next++
    if (body[next] === 0x0d && body[next + 1] === 0x0a) return at
  }
  return -1
}

/** Splits a complete multipart body into its parts; throws MultipartError on bad framing. */
export const parseMultipart = (body: Buffer, boundary: string): ReadonlyArray<MultipartPart> => {
  const delimiter = Buffer.from(`--${boundary}`, "utf8")
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`, "utf8")

  // The first delimiter opens the body or follows a preamble line.
  let start = body.indexOf(delimiter)
  while (start > 0 && !(body[start - 2] === 0x0d && body[start - 1] === 0x0a)) {
    start = body.indexOf(delimiter, start + 1)
  }
  if (start === -1) throw new MultipartError("no opening boundary")

  const parts: Array<MultipartPart> = []
  let pos = start + delimiter.length
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts // "--": close delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++ // transport padding
    if (!(body[pos] === 0x0d && body[pos + 1] === 0x0a)) throw new MultipartError("bad boundary line")
    pos += 2

    let contentStart: number
    let headers: Array<readonly [string, string]>
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      headers = [] // a part without headers
      contentStart = pos + 2
    } else {
      const headerEnd = body.indexOf(HEADER_END, pos)
      if (headerEnd === -1) throw new MultipartError("unterminated part headers")
      headers = parsePartHeaders(body.subarray(pos, headerEnd))
      contentStart = headerEnd + HEADER_END.length
    }

    const contentEnd = findDelimiter(body, nextDelimiter, contentStart)
    if (contentEnd === -1) throw new MultipartError("missing closing boundary")
    const data = body.subarray(contentStart, contentEnd)
    pos = contentEnd + nextDelimiter.length

    const header = (name: string) => headers.find(([k]) => k === name)?.[1]
    const disposition = header("content-disposition")
    if (disposition === undefined) continue // not a form field; werkzeug skips it too
    const parsed = parseHeaderValue(disposition)
    const name = parsed.params.get("name")
    if (name === undefined) continue
    parts.push({ name, filename: parsed.params.get("filename"), contentType: header("content-type"), headers, data })
  }
}
