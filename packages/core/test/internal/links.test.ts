import { describe, expect, it } from "@effect/vitest"
import { parseLinks } from "../../src/internal/links.js"

describe("parseLinks", () => {
  it("has no links without a header", () => {
    expect(parseLinks(undefined)).toEqual({})
    expect(parseLinks("")).toEqual({})
    expect(parseLinks("  ,  ")).toEqual({})
  })

  // The cases of requests' test_parse_header_links, keyed as Response.links keys them.
  it.each([
    [
      "<http:/.../front.jpeg>; rel=front; type=\"image/jpeg\"",
      { front: { url: "http:/.../front.jpeg", rel: "front", type: "image/jpeg" } }
    ],
    ["<http:/.../front.jpeg>", { "http:/.../front.jpeg": { url: "http:/.../front.jpeg" } }],
    ["<http:/.../front.jpeg>;", { "http:/.../front.jpeg": { url: "http:/.../front.jpeg" } }],
    [
      "<http:/.../front.jpeg>; type=\"image/jpeg\",<http://.../back.jpeg>;",
      {
        "http:/.../front.jpeg": { url: "http:/.../front.jpeg", type: "image/jpeg" },
        "http://.../back.jpeg": { url: "http://.../back.jpeg" }
      }
    ]
  ])("parses %j as requests does", (header, expected) => {
    expect(parseLinks(header)).toEqual(expected)
  })

  it("keys GitHub-style pagination by rel (requests' Response.links)", () => {
    const links = parseLinks(
      "<https://api.github.com/repos/o/r/issues?page=2>; rel=\"next\", " +
        "<https://api.github.com/repos/o/r/issues?page=5>; rel=\"last\""
    )
    expect(links["next"]?.url).toBe("https://api.github.com/repos/o/r/issues?page=2")
    expect(links["last"]).toEqual({ url: "https://api.github.com/repos/o/r/issues?page=5", rel: "last" })
    expect(Object.keys(links)).toEqual(["next", "last"])
  })

  it("keeps commas and semicolons inside <...> and quoted strings", () => {
    const links = parseLinks(
      "<http://x.org/a,b;c>; rel=\"next\"; title=\"a, b; c\", <http://x.org/d>; rel=prev"
    )
    expect(links).toEqual({
      next: { url: "http://x.org/a,b;c", rel: "next", title: "a, b; c" },
      prev: { url: "http://x.org/d", rel: "prev" }
    })
  })

  it("unescapes quoted strings", () => {
    expect(parseLinks("</x>; rel=\"self\"; title=\"say \\\"hi\\\" \\\\ bye\"")["self"]?.["title"])
      .toBe("say \"hi\" \\ bye")
  })

  it("keeps relative URLs as given (requests does not resolve them)", () => {
    expect(parseLinks("</page/2>; rel=next")["next"]?.url).toBe("/page/2")
  })

  it("lower-cases parameter names, keeps values as given", () => {
    expect(parseLinks("</a>; REL=\"Next\"; Title=X")).toEqual({ Next: { url: "/a", rel: "Next", title: "X" } })
  })

  it("keys a multi-valued rel by the whole value, as requests", () => {
    expect(Object.keys(parseLinks("</a>; rel=\"next last\""))).toEqual(["next last"])
  })

  it("lets a later link with the same key replace an earlier one, as requests' dict does", () => {
    expect(parseLinks("</a>; rel=next, </b>; rel=next")["next"]?.url).toBe("/b")
  })

  it("takes the first occurrence of a parameter in a link (RFC 8288 §3.3)", () => {
    expect(parseLinks("</a>; rel=next; rel=prev")).toEqual({ next: { url: "/a", rel: "next" } })
  })

  it("keeps valueless parameters as empty strings and tolerates whitespace", () => {
    expect(parseLinks("  </a> ;rel = next ;  crossorigin ; type = text/html  ")).toEqual({
      next: { url: "/a", rel: "next", crossorigin: "", type: "text/html" }
    })
  })

  it("does not let a `url` parameter replace the target", () => {
    expect(parseLinks("</a>; rel=next; url=/evil")["next"]?.url).toBe("/a")
  })

  it("strips quotes around unquoted-style values as requests does", () => {
    expect(parseLinks("</a>; rel='next'")["next"]?.rel).toBe("next")
  })

  it("is lenient with malformed input", () => {
    expect(parseLinks("http://x.org/a; rel=next")["next"]?.url).toBe("http://x.org/a")
    expect(parseLinks("<http://x.org/unterminated; rel=next")).toEqual({
      "http://x.org/unterminated; rel=next": { url: "http://x.org/unterminated; rel=next" }
    })
    expect(parseLinks("</a>; title=\"open")).toEqual({ "/a": { url: "/a", title: "open" } })
    expect(parseLinks("</a> junk; rel=next")["next"]?.url).toBe("/a")
  })

  it("does not touch the prototype for a rel of __proto__", () => {
    const links = parseLinks("</a>; rel=__proto__, </b>; rel=next; __proto__=x")
    expect(Object.getPrototypeOf(links)).toBe(Object.prototype)
    expect(Object.keys(links)).toEqual(["__proto__", "next"])
    expect(links["__proto__"]?.url).toBe("/a")
    expect(Object.getPrototypeOf(links["next"])).toBe(Object.prototype)
    expect(Object.keys(links["next"]!)).toEqual(["url", "rel", "__proto__"])
  })
})
