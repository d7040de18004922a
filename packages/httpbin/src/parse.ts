/**
 * Small parsers that follow Python's rules, because httpbin's inputs are parsed by Python's
 * int() and float() and by werkzeug.
 */

const INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/
const FLOAT = /^\s*[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?\s*$/

/** Python's int(text) for decimal text, or undefined where Python raises ValueError. */
export const pyInt = (text: string | undefined): number | undefined => {
  if (text === undefined || !INT.test(text)) return undefined
  const value = Number(text.replace(/_/g, ""))
  return Number.isSafeInteger(value) ? value : undefined
}

/** Python's int(text) without a size limit, for PRNG seeds. */
export const pyBigInt = (text: string | undefined): bigint | undefined => {
  if (text === undefined || !INT.test(text)) return undefined
  return BigInt(text.replace(/_/g, "").trim())
}

/** Python's float(text) for finite values; "inf" and "nan" are refused (they make no sense here). */
export const pyFloat = (text: string | undefined): number | undefined => {
  if (text === undefined || !FLOAT.test(text)) return undefined
  const value = Number(text.replace(/_/g, ""))
  return Number.isFinite(value) ? value : undefined
}

/** Flask's <int:...> converter: ASCII digits only. */
export const DIGITS = /^\d+$/

/**
 * Percent-decoding the way werkzeug decodes paths: invalid escapes stay as they are, invalid
 * UTF-8 becomes U+FFFD. decodeURIComponent would throw on both.
 */
export const percentDecode = (text: string): string => {
  if (!text.includes("%")) return text
  try {
    return decodeURIComponent(text)
  } catch {
    const bytes: Array<number> = []
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!
      const hex = ch === "%" ? text.slice(i + 1, i + 3) : ""
      if (hex.length === 2 && /^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16))
        i += 2
      } else {
        bytes.push(...Buffer.from(ch, "utf8"))
      }
    }
    return Buffer.from(bytes).toString("utf8")
  }
}

/**
 * werkzeug presents request header names through the WSGI environ, which turns "_" into "-"
 * and applies Python's str.title(): a letter is upper-cased when it follows a non-letter.
 */
export const titleCaseHeader = (name: string): string => {
  let out = ""
  let previousIsLetter = false
  for (const ch of name) {
    const c = ch === "_" ? "-" : ch
    const lower = c.toLowerCase()
    const isLetter = lower !== c.toUpperCase()
    out += isLetter ? (previousIsLetter ? lower : c.toUpperCase()) : c
    previousIsLetter = isLetter
  }
  return out
}

/** httpbin's spelling of a boolean query flag ("1", "t", "true"). */
export const isTruthyFlag = (text: string | undefined): boolean =>
  text !== undefined && ["1", "t", "true"].includes(text.toLowerCase())
