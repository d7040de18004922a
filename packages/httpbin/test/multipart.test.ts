import { describe, expect, it } from "vitest"
import { boundaryOf, MultipartError, parseHeaderValue, parseMultipart } from "../src/multipart.js"

const body = (text: string) => Buffer.from(text, "utf8")

describe("parseMultipart", () => {
  it("splits fields and files with their headers", () => {
    const parts = parseMultipart(
      body(
        '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n' +
          '--b\r\nContent-Disposition: form-data; name="up"; filename="a \\"q\\".txt"\r\nContent-Type: text/plain\r\n\r\n--b-ish\r\n\r\n' +
          "--b\r\n\r\nheader-less parts have no name and are skipped\r\n" +
          "--b--"
      ),
      "b"
    )
    expect(parts.map((p) => [p.name, p.filename, p.contentType, p.data.toString()])).toEqual([
      ["x", undefined, undefined, "1"],
      ["up", 'a "q".txt', "text/plain", "--b-ish\r\n"]
    ])
  })

  it("keeps binary content byte for byte", () => {
    const payload = Buffer.from([0, 255, 13, 10, 45, 45])
    const raw = Buffer.concat([
      body('--zz\r\nContent-Disposition: form-data; name="bin"; filename="b"\r\n\r\n'),
      payload,
      body("\r\n--zz--\r\n")
    ])
    expect(parseMultipart(raw, "zz")[0]?.data.equals(payload)).toBe(true)
  })

  it("accepts an empty form", () => {
    expect(parseMultipart(body("--b--\r\n"), "b")).toEqual([])
  })

  it("throws MultipartError on bad framing", () => {
    expect(() => parseMultipart(body("--b\r\nContent-Disposition: form-data; name=x\r\n\r\nno end"), "b")).toThrow(
      MultipartError
    )
    expect(() => parseMultipart(body("nothing here"), "b")).toThrow(MultipartError)
  })
})

describe("header values", () => {
  it("parses parameters, quoted strings and RFC 8187 values", () => {
    const parsed = parseHeaderValue(`form-data; name="a;b"; filename=plain.txt; filename*=UTF-8''%C3%A9.txt`)
    expect(parsed.value).toBe("form-data")
    expect(parsed.params.get("name")).toBe("a;b")
    expect(parsed.params.get("filename")).toBe("é.txt")
  })

  it("extracts the boundary", () => {
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe("a b")
    expect(boundaryOf("multipart/form-data; charset=utf-8; boundary=xyz")).toBe("xyz")
    expect(boundaryOf("multipart/form-data")).toBeUndefined()
  })
})
