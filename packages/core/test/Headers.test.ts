import { describe, expect, it } from "@effect/vitest"
import { Headers } from "@requests-futures/core"
import { inspect } from "node:util"

const raw = (...pairs: Array<string>) => Headers.Headers.fromRaw(pairs.map((s) => Buffer.from(s, "latin1")))

describe("Headers", () => {
  it("a response's raw headers answer lookups in any case, repeated values in order", () => {
    const h = raw("Content-Type", "text/plain", "Set-Cookie", "a=1", "X-É", "caf\u00e9", "set-cookie", "b=2")
    expect(h.get("content-type")).toBe("text/plain")
    expect(h.get("CONTENT-TYPE")).toBe("text/plain")
    expect(h.getAll("SET-COOKIE")).toEqual(["a=1", "b=2"])
    expect(h.get("set-cookie")).toBe("a=1, b=2")
    expect(h.has("Location")).toBe(false)
    expect(h.get("location")).toBeUndefined()
    expect(h.getAll("location")).toEqual([])
    // non-letters never match by case folding ("[" is "{" with bit 0x20 cleared)
    expect(raw("a[", "1").has("a{")).toBe(false)
    expect(raw("x-é", "1").get("X-é")).toBe("1")
  })

  it("the raw form iterates, counts and serialises like the map form (first spelling kept)", () => {
    const h = raw("Set-Cookie", "a=1", "Date", "today", "set-cookie", "b=2")
    expect([...h]).toEqual([["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["Date", "today"]])
    expect(h.size).toBe(2)
    expect(h.toRecord()).toEqual({ "Set-Cookie": "a=1, b=2", Date: "today" })
    // after the map is built, lookups agree
    expect(h.getAll("set-cookie")).toEqual(["a=1", "b=2"])
    expect(h.set("date", "now").get("Date")).toBe("now")
    expect(h.delete("SET-COOKIE").has("set-cookie")).toBe(false)
    expect(Headers.Headers.merge(raw("A", "1"), { b: "2" }).toRecord()).toEqual({ A: "1", b: "2" })
  })

  it("redact masks credentials and cookie values, keeping schemes, names and attributes", () => {
    const h = Headers.Headers.from([
      ["Authorization", "Bearer abc.def"],
      ["Proxy-Authorization", "opaque"],
      ["Cookie", "a=1; b=two=2;flag"],
      ["Set-Cookie", "sid=xyz; Path=/; HttpOnly"],
      ["Set-Cookie", "theme=dark"],
      ["Accept", "*/*"]
    ])
    expect(Headers.redact(h)).toEqual({
      Authorization: "Bearer ***",
      "Proxy-Authorization": "***",
      Cookie: "a=***; b=***; ***",
      "Set-Cookie": "sid=***; Path=/; HttpOnly, theme=***",
      Accept: "*/*"
    })
    expect(inspect(Headers.Headers.empty)).toBe("{ _id: 'Headers', headers: {} }")
  })
})
