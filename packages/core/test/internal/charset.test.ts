import { describe, expect, it } from "@effect/vitest"
import { decodeText, encodingOf } from "../../src/internal/charset.js"

const bytes = (...values: ReadonlyArray<number>) => new Uint8Array(values)
const utf8 = (s: string) => new TextEncoder().encode(s)
const ascii = utf8("plain ascii")

describe("encodingOf", () => {
  it.each([
    ["text/html; charset=ISO-8859-1", "ISO-8859-1"],
    ["text/html; charset=\"utf-8\"", "utf-8"],
    ["text/html; charset='utf-8'", "utf-8"],
    ["text/plain;CHARSET = Shift_JIS ", "Shift_JIS"],
    ["text/plain; format=flowed; charset=utf-8; delsp=yes", "utf-8"],
    ["application/json; charset=utf-16", "utf-16"]
  ])("takes the charset of %j as given (requests' get_encoding_from_headers)", (contentType, expected) => {
    expect(encodingOf(contentType, ascii)).toBe(expected)
  })

  it("prefers the header's charset over the bytes", () => {
    expect(encodingOf("text/plain; charset=windows-1252", utf8("ünïcode"))).toBe("windows-1252")
  })

  it("detects when the charset is empty", () => {
    expect(encodingOf("text/plain; charset=", bytes(0xe9))).toBe("windows-1252")
    expect(encodingOf("text/plain; charset=\"\"", ascii)).toBe("utf-8")
  })

  it.each([
    [[0xef, 0xbb, 0xbf, 0x41], "utf-8"],
    [[0xff, 0xfe, 0x41, 0x00], "utf-16le"],
    [[0xfe, 0xff, 0x00, 0x41], "utf-16be"]
  ])("detects the BOM in %j", (body, expected) => {
    expect(encodingOf("text/plain", bytes(...body))).toBe(expected)
  })

  it("says utf-8 for JSON without a charset, whatever the bytes (RFC 8259; requests: 'application/json')", () => {
    expect(encodingOf("application/json", bytes(0x22, 0xe9, 0x22))).toBe("utf-8")
    expect(encodingOf("application/problem+json", bytes(0xe9))).toBe("utf-8")
    expect(encodingOf("Application/JSON ; q=1", bytes(0xe9))).toBe("utf-8")
  })

  it("detects utf-8 for ASCII, valid UTF-8 and empty bodies (requests would say ISO-8859-1 for text/*)", () => {
    expect(encodingOf("text/html", ascii)).toBe("utf-8")
    expect(encodingOf("text/html", utf8("naïve € 😀"))).toBe("utf-8")
    expect(encodingOf("text/html", new Uint8Array(0))).toBe("utf-8")
    expect(encodingOf(undefined, ascii)).toBe("utf-8")
  })

  it("falls back to windows-1252 for bytes that are not UTF-8", () => {
    expect(encodingOf("text/html", bytes(0x63, 0x61, 0x66, 0xe9))).toBe("windows-1252")
    expect(encodingOf(undefined, bytes(0xc3))).toBe("windows-1252")
    // An overlong encoding and a lone surrogate are not valid UTF-8 either.
    expect(encodingOf(undefined, bytes(0xc0, 0xaf))).toBe("windows-1252")
    expect(encodingOf(undefined, bytes(0xed, 0xa0, 0x80))).toBe("windows-1252")
  })

  it("reads a view on a larger buffer, not the whole buffer", () => {
    const backing = bytes(0xe9, 0x41, 0x42, 0xe9)
    expect(encodingOf(undefined, backing.subarray(1, 3))).toBe("utf-8")
  })
})

describe("decodeText", () => {
  it("decodes UTF-8", () => {
    expect(decodeText(utf8("naïve € 😀"), "utf-8")).toBe("naïve € 😀")
    expect(decodeText(utf8("x"), "  UTF-8 ")).toBe("x")
  })

  it("returns the empty string for an empty body", () => {
    expect(decodeText(new Uint8Array(0), "utf-16le")).toBe("")
  })

  it("decodes windows-1252, and ISO-8859-1 as windows-1252 as WHATWG does", () => {
    expect(decodeText(bytes(0x80, 0xe9), "windows-1252")).toBe("€é")
    expect(decodeText(bytes(0x80, 0xe9), "ISO-8859-1")).toBe("€é")
    expect(decodeText(bytes(0xe9), "latin-1")).toBe("é")
  })

  it("maps all of windows-1252's 0x80-0x9F as WHATWG's index (works around nodejs/node#56542)", () => {
    const all = Array.from({ length: 32 }, (_, i) => 0x80 + i)
    expect(decodeText(bytes(...all), "windows-1252")).toBe(
      "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ"
    )
    expect(decodeText(bytes(0x93, 0x71, 0x94), "ascii")).toBe("“q”")
  })

  it("keeps C1 characters of other encodings", () => {
    expect(decodeText(bytes(0xc2, 0x80), "utf-8")).toBe("\u0080")
  })

  it("decodes UTF-16 and other WHATWG encodings", () => {
    expect(decodeText(bytes(0x41, 0x00, 0xac, 0x20), "utf-16le")).toBe("A€")
    expect(decodeText(bytes(0x00, 0x41, 0x20, 0xac), "utf-16be")).toBe("A€")
    expect(decodeText(bytes(0x82, 0xa0), "Shift_JIS")).toBe("あ")
  })

  it("replaces invalid bytes with U+FFFD (requests: errors='replace')", () => {
    expect(decodeText(bytes(0x61, 0xff, 0x62), "utf-8")).toBe("a\ufffdb")
  })

  it("decodes an unknown label as UTF-8", () => {
    expect(decodeText(utf8("é"), "no-such-charset")).toBe("é")
    expect(decodeText(utf8("é"), "no-such-charset")).toBe("é")
  })

  it("strips a BOM, which decides the encoding over the label (WHATWG decode)", () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0x41), "utf-8")).toBe("A")
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0xc3, 0xa9), "windows-1252")).toBe("é")
    expect(decodeText(bytes(0xff, 0xfe, 0x41, 0x00), "utf-8")).toBe("A")
    expect(decodeText(bytes(0xfe, 0xff, 0x00, 0x41), "utf-8")).toBe("A")
  })

  it("strips only one BOM: a U+FEFF after it is content", () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41), "utf-8")).toBe("\ufeffA")
  })

  it("decodes what encodingOf detects", () => {
    const body = bytes(0x63, 0x61, 0x66, 0xe9)
    expect(decodeText(body, encodingOf("text/plain", body))).toBe("café")
  })
})
