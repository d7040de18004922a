/**
 * The text encoding of a response body and its decoding: requests' `Response.encoding` and
 * `Response.text`, with detection in place of requests' ISO-8859-1 default and chardet.
 *
 * @internal
 */
import { isUtf8 } from "node:buffer"
import { TextDecoder } from "node:util"

/**
 * requests' `Response.encoding`: the Content-Type `charset` parameter as given (unquoted, case
 * kept), else detected: a BOM (UTF-8, UTF-16LE/BE), then "utf-8" for JSON media types
 * (RFC 8259), then "utf-8" when the bytes are valid UTF-8 (ASCII and empty bodies included), else
 * "windows-1252". requests says ISO-8859-1 for any text/* without a charset (RFC 2616) and
 * leaves detection to `apparent_encoding`; most text on the web is UTF-8, so we detect.
 */
export const encodingOf = (contentType: string | undefined, body: Uint8Array): string => {
  if (contentType !== undefined) {
    const charset = charsetOf(contentType)
    if (charset !== undefined) return charset
  }
  const bom = bomOf(body)
  if (bom !== undefined) return bom.encoding
  if (contentType !== undefined && isJson(contentType)) return "utf-8"
  // Native (simdutf) validation: faster than an ASCII pre-scan in JS, and ASCII is valid UTF-8.
  return isUtf8(body) ? "utf-8" : "windows-1252"
}

// The charset parameter, quoted (either quote, as requests strips both) or not.
const charsetRe = /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^;\s]*))/i

const charsetOf = (contentType: string): string | undefined => {
  const match = charsetRe.exec(contentType)
  if (match === null) return undefined
  const charset = (match[1] ?? match[2] ?? match[3] ?? "").trim()
  return charset === "" ? undefined : charset
}

const isJson = (contentType: string): boolean => {
  const semicolon = contentType.indexOf(";")
  const essence = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return essence === "application/json" || essence.endsWith("+json")
}

interface Bom {
  readonly encoding: string
  readonly length: number
}

const utf8Bom: Bom = { encoding: "utf-8", length: 3 }
const utf16leBom: Bom = { encoding: "utf-16le", length: 2 }
const utf16beBom: Bom = { encoding: "utf-16be", length: 2 }

const bomOf = (body: Uint8Array): Bom | undefined => {
  const b0 = body[0]
  if (b0 === 0xef) return body[1] === 0xbb && body[2] === 0xbf ? utf8Bom : undefined
  if (b0 === 0xff) return body[1] === 0xfe ? utf16leBom : undefined
  if (b0 === 0xfe) return body[1] === 0xff ? utf16beBom : undefined
  return undefined
}

/**
 * The body as text in `encoding` (a WHATWG label), invalid bytes as U+FFFD. A BOM decides the
 * encoding over the label and is removed, as WHATWG's "decode" (and browsers) do; requests keeps a
 * UTF-8 BOM as U+FEFF. An unknown label decodes as UTF-8.
 */
export const decodeText = (body: Uint8Array, encoding: string): string => {
  if (body.length === 0) return ""
  const bom = bomOf(body)
  if (bom !== undefined) return decoderFor(bom.encoding).decode(body.subarray(bom.length))
  const decoder = decoderFor(encoding)
  const text = decoder.decode(body)
  return decoder.encoding === "windows-1252" && c1Re.test(text) ? text.replace(c1Global, fromC1) : text
}

// Node ≥ 20.18.3 decodes windows-1252 (and its labels latin1, iso-8859-1, ascii) as ISO-8859-1,
// turning 0x80-0x9F into C1 controls (nodejs/node#56542, #60888); map them as WHATWG's index
// does. Harmless once Node is fixed: a correct decoder only yields the five undefined ones.
const c1Re = /[\u0080-\u009f]/
const c1Global = /[\u0080-\u009f]/g
const windows1252C1 =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178"
const fromC1 = (c: string): string => windows1252C1[c.charCodeAt(0) - 0x80]!

// The BOM is stripped above, once; the decoders must not strip another U+FEFF that is content.
const decoderOptions = { fatal: false, ignoreBOM: true } as const
const utf8Decoder = new TextDecoder("utf-8", decoderOptions)

// Python codec names servers copy into headers that are not WHATWG labels.
const aliases: Readonly<Record<string, string>> = {
  "latin-1": "latin1",
  "utf-8-sig": "utf-8",
  "utf_8": "utf-8",
  "utf8mb4": "utf-8"
}

// TextDecoders are reusable (a non-streaming decode resets them) and costly to build; labels are
// server-controlled, so the cache is bounded.
const decoders = new Map<string, TextDecoder>([["utf-8", utf8Decoder], ["utf8", utf8Decoder]])
const MAX_DECODERS = 64

const decoderFor = (label: string): TextDecoder => {
  const cached = decoders.get(label)
  if (cached !== undefined) return cached
  const key = label.trim().toLowerCase()
  let decoder = decoders.get(key)
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(aliases[key] ?? key, decoderOptions)
    } catch {
      decoder = utf8Decoder
    }
  }
  if (decoders.size < MAX_DECODERS) decoders.set(label, decoder)
  return decoder
}
