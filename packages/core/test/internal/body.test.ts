import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Either from "effect/Either"
import { type BodyInput, encodeBody, encodeBodyStep, type EncodedBody, guessContentType } from "../../src/internal/body.js"

const base = { method: "POST", url: "http://x.org/" }
const decoder = new TextDecoder()

const ok = (input: Omit<BodyInput, "method" | "url">): EncodedBody => {
  const result = encodeBody({ ...base, ...input })
  if (Either.isLeft(result)) throw new Error(`expected a body, got ${result.left.message}`)
  return result.right
}

const bad = (input: Omit<BodyInput, "method" | "url">) => {
  const result = encodeBody({ ...base, ...input })
  if (Either.isRight(result)) throw new Error("expected InvalidBody")
  return result.left
}

const text = (body: EncodedBody): string => decoder.decode(body.body)

const boundaryOf = (body: EncodedBody): string => {
  const match = /^multipart\/form-data; boundary=([0-9a-f]{32})$/.exec(body.contentType ?? "")
  if (match === null) throw new Error(`not multipart: ${body.contentType}`)
  return match[1]!
}

describe("encodeBody", () => {
  it("has no body and no Content-Type when nothing is given", () => {
    expect(ok({})).toEqual({ body: undefined, contentType: undefined })
    expect(ok({ data: undefined, json: undefined, files: undefined })).toEqual({ body: undefined, contentType: undefined })
  })

  describe("json", () => {
    it("is UTF-8 JSON with application/json", () => {
      const body = ok({ json: { a: 1, b: ["é", null] } })
      expect(body.contentType).toBe("application/json")
      expect(text(body)).toBe("{\"a\":1,\"b\":[\"é\",null]}")
      expect(body.body).toEqual(new TextEncoder().encode("{\"a\":1,\"b\":[\"é\",null]}"))
    })

    it("sends null as the JSON text null (undefined means no json, as requests' json=None)", () => {
      expect(text(ok({ json: null }))).toBe("null")
      expect(ok({ json: undefined }).body).toBeUndefined()
    })

    it("sends scalars and honours toJSON", () => {
      expect(text(ok({ json: "x" }))).toBe("\"x\"")
      expect(text(ok({ json: 0 }))).toBe("0")
      expect(text(ok({ json: false }))).toBe("false")
      expect(text(ok({ json: new Date(0) }))).toBe("\"1970-01-01T00:00:00.000Z\"")
    })

    it("writes NaN as null, as JSON.stringify does (requests raises for allow_nan=False)", () => {
      expect(text(ok({ json: [Number.NaN, Infinity] }))).toBe("[null,null]")
    })

    it("fails with InvalidBody and the error as cause for BigInt and cycles", () => {
      const bigint = bad({ json: { n: 1n } })
      expect(bigint).toMatchObject({ _tag: "InvalidBody", method: "POST", url: "http://x.org/" })
      expect(bigint.cause).toBeInstanceOf(TypeError)
      const cycle: Record<string, unknown> = {}
      cycle["self"] = cycle
      expect(bad({ json: cycle }).cause).toBeInstanceOf(TypeError)
    })

    it("fails with InvalidBody for values JSON cannot represent", () => {
      expect(bad({ json: () => 1 }).reason).toBe("a function is not a JSON value")
      expect(bad({ json: Symbol("s") }).reason).toBe("a symbol is not a JSON value")
    })

    it("is ignored when data is given (requests: `if not data and json is not None`)", () => {
      const body = ok({ data: { a: "1" }, json: { b: 2 } })
      expect(body.contentType).toBe("application/x-www-form-urlencoded")
      expect(text(body)).toBe("a=1")
    })

    it("is used when data is empty (falsy in requests)", () => {
      expect(text(ok({ data: "", json: 1 }))).toBe("1")
      expect(text(ok({ data: {}, json: 1 }))).toBe("1")
      expect(text(ok({ data: [], json: 1 }))).toBe("1")
      expect(text(ok({ data: new Uint8Array(0), json: 1 }))).toBe("1")
    })
  })

  describe("data", () => {
    it("url-encodes a record: arrays repeat, null/undefined dropped, space as +", () => {
      const body = ok({ data: { a: "1", b: ["x y", "z"], c: null, d: undefined, e: 2, "f&g": "é" } })
      expect(body.contentType).toBe("application/x-www-form-urlencoded")
      expect(text(body)).toBe("a=1&b=x+y&b=z&e=2&f%26g=%C3%A9")
    })

    it("url-encodes pairs in order", () => {
      expect(text(ok({ data: [["b", "1"], ["a", "2"], ["b", "3"]] }))).toBe("b=1&a=2&b=3")
    })

    it("sends a string as UTF-8 with no Content-Type (requests sets none for str data)", () => {
      const body = ok({ data: "héllo wörld" })
      expect(body.contentType).toBeUndefined()
      expect(body.body).toEqual(new TextEncoder().encode("héllo wörld"))
    })

    it("sends bytes as they are with no Content-Type", () => {
      const bytes = new Uint8Array([0, 255, 10])
      const body = ok({ data: bytes })
      expect(body.body).toBe(bytes)
      expect(body.contentType).toBeUndefined()
    })

    it("sends no body for empty data (requests: `if data:`)", () => {
      expect(ok({ data: {} }).body).toBeUndefined()
      expect(ok({ data: "" }).body).toBeUndefined()
    })

    it("sends an empty form for a non-empty record of only None values, as requests does", () => {
      const body = ok({ data: { a: null } })
      expect(body.body?.length).toBe(0)
      expect(body.contentType).toBe("application/x-www-form-urlencoded")
    })
  })

  describe("files", () => {
    it("encodes bare content with the field name as file name and no Content-Type (requests' `guess_filename(v) or k`)", () => {
      const body = ok({ files: { upload: new Uint8Array([104, 105]) } })
      const b = boundaryOf(body)
      expect(text(body)).toBe(
        `--${b}\r\nContent-Disposition: form-data; name="upload"; filename="upload"\r\n\r\nhi\r\n--${b}--\r\n`
      )
    })

    it("puts data fields first, then files, like requests' _encode_files", () => {
      const body = ok({
        data: { a: "1", list: ["x", null, "y"], n: 3, skip: undefined },
        files: [["f1", "one"], ["f2", { filename: "two.txt", content: "two" }]]
      })
      const b = boundaryOf(body)
      expect(text(body)).toBe(
        `--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="list"\r\n\r\nx\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="list"\r\n\r\ny\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="n"\r\n\r\n3\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="f1"; filename="f1"\r\n\r\none\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="f2"; filename="two.txt"\r\nContent-Type: text/plain\r\n\r\ntwo\r\n` +
          `--${b}--\r\n`
      )
    })

    it("uses the given Content-Type over the guessed one, and adds the given headers", () => {
      const body = ok({
        files: {
          doc: {
            filename: "a.json",
            content: "{}",
            contentType: "application/vnd.x+json",
            headers: { "X-Part": "1", "Content-Disposition": "ignored" }
          }
        }
      })
      expect(text(body)).toContain(
        "Content-Disposition: form-data; name=\"doc\"; filename=\"a.json\"\r\nContent-Type: application/vnd.x+json\r\nX-Part: 1\r\n\r\n{}\r\n"
      )
      expect(text(body)).not.toContain("ignored")
    })

    it("takes a Content-Type from the part's headers when none is given", () => {
      const body = ok({ files: { doc: { content: "x", headers: { "content-type": "text/x-custom" } } } })
      expect(text(body)).toContain("Content-Type: text/x-custom\r\n\r\nx")
    })

    it("sends no Content-Type for an unknown extension, as requests", () => {
      expect(text(ok({ files: { f: { filename: "data.bin", content: "x" } } }))).not.toContain("Content-Type")
    })

    it("keeps an explicitly empty file name", () => {
      expect(text(ok({ files: { f: { filename: "", content: "x" } } }))).toContain("name=\"f\"; filename=\"\"\r\n")
    })

    it("escapes \", CR and LF in names as browsers do (RFC 7578, urllib3), keeps non-ASCII as UTF-8", () => {
      const body = ok({ data: { "a\"b": "v" }, files: { "ünï\r\ncode": { filename: "naïve \"q\".txt", content: "x" } } })
      const s = text(body)
      expect(s).toContain("name=\"a%22b\"\r\n")
      expect(s).toContain("name=\"ünï%0D%0Acode\"; filename=\"naïve %22q%22.txt\"\r\nContent-Type: text/plain\r\n")
    })

    it("keeps binary content byte for byte; the body length is its byte length", () => {
      const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x80])
      const body = ok({ files: { bin: bytes }, data: { t: "é" } })
      const b = boundaryOf(body)
      const head = new TextEncoder().encode(
        `--${b}\r\nContent-Disposition: form-data; name="t"\r\n\r\né\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="bin"; filename="bin"\r\n\r\n`
      )
      const tail = new TextEncoder().encode(`\r\n--${b}--\r\n`)
      expect(body.body).toEqual(new Uint8Array([...head, ...bytes, ...tail]))
      expect(body.body?.byteLength).toBe(head.length + bytes.length + tail.length)
    })

    it("round-trips through a multipart parser", async () => {
      const body = ok({
        data: [["field", "value é"], ["field", "second"]],
        files: { up: { filename: "photo.png", content: new Uint8Array([137, 80, 78, 71]) } }
      })
      const form = await new Response(body.body, { headers: { "content-type": body.contentType! } }).formData()
      expect(form.getAll("field")).toEqual(["value é", "second"])
      const file = form.get("up") as File
      expect(file.name).toBe("photo.png")
      expect(file.type).toBe("image/png")
      expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([137, 80, 78, 71]))
    })

    it("chooses a fresh random boundary each time", () => {
      const a = boundaryOf(ok({ files: { f: "x" } }))
      const b = boundaryOf(ok({ files: { f: "x" } }))
      expect(a).not.toBe(b)
    })

    it("wins over json (requests encodes files after json and replaces the body)", () => {
      const body = ok({ json: { a: 1 }, files: { f: "x" } })
      expect(body.contentType).toMatch(/^multipart\/form-data/)
      expect(text(body)).not.toContain("\"a\"")
    })

    it("is ignored when empty, as requests' `if files:`", () => {
      expect(text(ok({ files: {}, data: { a: "1" } }))).toBe("a=1")
      expect(ok({ files: [] }).body).toBeUndefined()
    })

    it("rejects string or bytes data next to files (requests: 'Data must not be a string.')", () => {
      expect(bad({ files: { f: "x" }, data: "raw" })).toMatchObject({ _tag: "InvalidBody" })
      expect(bad({ files: { f: "x" }, data: new Uint8Array([1]) })).toMatchObject({ _tag: "InvalidBody" })
    })

    it("rejects part headers that would inject lines", () => {
      expect(bad({ files: { f: { content: "x", headers: { "X-A": "1\r\nX-B: 2" } } } }).reason)
        .toContain("\"X-A\"")
      expect(bad({ files: { f: { content: "x", contentType: "text/plain\r\nX: y" } } }).reason)
        .toContain("\"Content-Type\"")
    })

    it("sends a Blob part as it is read, with its length known and the body replayable", () => {
      const body = ok({ files: { f: new Blob(["x"]) } })
      expect(body.body).toBeUndefined()
      expect(body.stream).toBeTypeOf("function")
      expect(body.replayable).toBeUndefined()
      expect(body.length).toBeGreaterThan(0)
    })

    it("sends a stream part chunked (no length) and once only", () => {
      const body = ok({ files: { f: new ReadableStream<Uint8Array>() } })
      expect(body.length).toBeUndefined()
      expect(body.replayable).toBe(false)
    })
  })
})

/** All the bytes of a streamed body, as text. */
const streamed = (body: EncodedBody) =>
  Effect.promise(async () => {
    const chunks: Array<Uint8Array> = []
    for await (const chunk of body.stream!()) chunks.push(chunk)
    return decoder.decode(Buffer.concat(chunks))
  })

describe("encodeBodyStep", () => {
  it("is an Exit, with or without a Blob (no Promise and no fiber to encode a body)", () => {
    for (const input of [{}, { json: 1 }, { data: { a: "1" } }, { files: { f: "x" } }, { json: 1n }, {
      files: { f: new Blob(["x"]) }
    }]) {
      expect(Exit.isExit(encodeBodyStep({ ...base, ...input }))).toBe(true)
    }
    const json = encodeBodyStep({ ...base, json: 1 })
    expect(json._tag === "Success" && json.value.contentType).toBe("application/json")
  })

  it.effect("streams Blob contents, using a File's name and a Blob's type; the length is exact", () =>
    Effect.gen(function*() {
      const body = yield* encodeBodyStep({
        ...base,
        data: { a: "1" },
        files: [
          ["blob", new Blob(["blob content"], { type: "text/x-blob" })],
          ["file", new File([new Uint8Array([1, 2, 3])], "pic.jpg")],
          ["typed", { content: new File(["t"], "t.bin", { type: "application/x-t" }), contentType: "text/plain" }],
          ["plain", "str"]
        ]
      })
      const b = boundaryOf(body)
      const all = yield* streamed(body)
      expect(all).toBe(
        `--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="blob"; filename="blob"\r\nContent-Type: text/x-blob\r\n\r\nblob content\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="file"; filename="pic.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\u0001\u0002\u0003\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="typed"; filename="t.bin"\r\nContent-Type: text/plain\r\n\r\nt\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="plain"; filename="plain"\r\n\r\nstr\r\n` +
          `--${b}--\r\n`
      )
      expect(body.length).toBe(Buffer.byteLength(all))
      // read again (a retry): the same bytes
      expect(yield* streamed(body)).toBe(all)
    }))

  it.effect("fails like encodeBody for invalid input", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(encodeBodyStep({ ...base, data: "s", files: { f: new Blob(["x"]) } }))
      expect(error._tag).toBe("InvalidBody")
    }))
})

describe("guessContentType", () => {
  it.each([
    ["a.txt", "text/plain"],
    ["A.JSON", "application/json"],
    ["x.png", "image/png"],
    ["x.jpg", "image/jpeg"],
    ["x.jpeg", "image/jpeg"],
    ["index.html", "text/html"],
    ["t.csv", "text/csv"],
    ["doc.pdf", "application/pdf"],
    ["archive.tar.gz", "application/gzip"],
    ["noext", undefined],
    ["weird.xyz", undefined],
    ["dir.d/file", undefined]
  ])("%s → %s", (name, type) => {
    expect(guessContentType(name)).toBe(type)
  })
})
