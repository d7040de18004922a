import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import type { Params } from "../../src/Request.js"
import {
  encodeForm,
  originOf,
  prepareUrl,
  resolveLocation,
  sameOrigin,
  shouldStripAuth
} from "../../src/internal/url.js"

const ok = (url: string, params?: Params): string => {
  const result = prepareUrl("GET", url, params)
  if (Either.isLeft(result)) throw new Error(`expected ${url} to prepare, got ${result.left._tag}`)
  return result.right
}

const err = (url: string) => {
  const result = prepareUrl("POST", url, undefined)
  if (Either.isRight(result)) throw new Error(`expected ${url} to fail, got ${result.right}`)
  return result.left
}

describe("prepareUrl", () => {
  it("adds the root path as requests does", () => {
    expect(ok("http://example.com")).toBe("http://example.com/")
    expect(ok("https://example.com:8443/a/b?c=d")).toBe("https://example.com:8443/a/b?c=d")
  })

  it("strips surrounding whitespace (requests: url.strip())", () => {
    expect(ok("  http://example.com/x \n")).toBe("http://example.com/x")
  })

  it("accepts the scheme in any case", () => {
    expect(ok("HTTPS://Example.COM/Path")).toBe("https://example.com/Path")
  })

  it("IDNA-encodes the host (requests' test_unicode_url / _get_idna_encoded_host)", () => {
    expect(ok("http://bücher.de/")).toBe("http://xn--bcher-kva.de/")
    expect(ok("http://☃.net/")).toBe("http://xn--n3h.net/")
  })

  it("percent-encodes unsafe characters in path, query and fragment (requests' requote_uri)", () => {
    expect(ok("http://example.com/a b/é?q=x y#f g")).toBe("http://example.com/a%20b/%C3%A9?q=x%20y#f%20g")
  })

  it.each(["nota url", "example.com/x", "127.0.0.1:8080/x", "localhost:8080", "localhost:8080/path", "example.com:80"])(
    "MissingSchema for %j (requests: 'No scheme supplied')",
    (url) => {
      const error = err(url)
      expect(error._tag).toBe("MissingSchema")
      expect(error).toMatchObject({ method: "POST", url })
    }
  )

  it("reports the stripped URL, as requests' messages do", () => {
    expect(err("  example.com  ")).toMatchObject({ _tag: "MissingSchema", url: "example.com" })
  })

  it.each([
    ["file:///etc/passwd", "file"],
    ["ftp://example.com/x", "ftp"],
    ["mailto:someone@example.com", "mailto"],
    ["FTP://example.com", "ftp"],
    ["httpx://example.com", "httpx"],
    ["localhost:path", "localhost"]
  ])("InvalidSchema for %j (requests: 'No connection adapters')", (url, scheme) => {
    expect(err(url)).toMatchObject({ _tag: "InvalidSchema", method: "POST", url, scheme })
  })

  it.each(["http://", "https://", "http:///x", "http:x", "http:/x", "http://?q=1", "http://#f", "http:\\\\x"])(
    "InvalidUrl 'no host' for %j (requests: 'No host supplied')",
    (url) => {
      expect(err(url)).toMatchObject({ _tag: "InvalidUrl", url, reason: "no host supplied" })
    }
  )

  it.each(["http://exa mple.com/", "http://example.com:99999/", "http://[::1/", "http://user@/x"])(
    "InvalidUrl with the parser's error as cause for %j (requests: LocationParseError → InvalidURL)",
    (url) => {
      const error = err(url)
      expect(error).toMatchObject({ _tag: "InvalidUrl", url, reason: "the URL cannot be parsed" })
      expect(error.cause).toBeInstanceOf(TypeError)
    }
  )

  it.each(["http://*.example.com/", "http://.example.com/"])(
    "InvalidUrl for a host starting with * or . (requests: 'URL has an invalid label')",
    (url) => {
      expect(err(url)).toMatchObject({ _tag: "InvalidUrl", reason: "the host has an invalid label" })
    }
  )

  describe("params", () => {
    it("encodes a record: arrays repeat the key, null/undefined dropped, scalars stringified", () => {
      expect(ok("http://x.org/p", { a: "1", b: ["2", null, "3"], c: undefined, d: null, e: true, f: 1.5 }))
        .toBe("http://x.org/p?a=1&b=2&b=3&e=true&f=1.5")
    })

    it("encodes pairs in order, repeating keys", () => {
      expect(ok("http://x.org/", [["a", "1"], ["b", undefined], ["a", "2"], ["c", false]]))
        .toBe("http://x.org/?a=1&a=2&c=false")
    })

    it("form-encodes: space as +, reserved and non-ASCII characters percent-encoded as UTF-8", () => {
      expect(ok("http://x.org/", { "k y": "a b&c=d/é+%" })).toBe("http://x.org/?k+y=a+b%26c%3Dd%2F%C3%A9%2B%25")
    })

    it("appends to an existing query with & and keeps that query as given", () => {
      expect(ok("http://x.org/?a=b+c&d=%20&e", { f: "g h" })).toBe("http://x.org/?a=b+c&d=%20&e&f=g+h")
    })

    it("fills an empty query after a bare ?", () => {
      expect(ok("http://x.org/p?", { a: "1" })).toBe("http://x.org/p?a=1")
    })

    it("goes before the fragment (requests' test_params_are_added_before_fragment)", () => {
      expect(ok("http://example.com/path#fragment", { a: "b" })).toBe("http://example.com/path?a=b#fragment")
      expect(ok("http://example.com/path?key=value#fragment", { a: "b" }))
        .toBe("http://example.com/path?key=value&a=b#fragment")
      expect(ok("http://example.com/#", { a: "b" })).toBe("http://example.com/?a=b#")
    })

    it("adds nothing when there is nothing to encode", () => {
      expect(ok("http://x.org/p", {})).toBe("http://x.org/p")
      expect(ok("http://x.org/p", { a: undefined, b: null, c: [] })).toBe("http://x.org/p")
      expect(ok("http://x.org/p", [])).toBe("http://x.org/p")
    })

    it("does not let a params value inject a fragment or a new query", () => {
      expect(ok("http://x.org/", { a: "#x?y" })).toBe("http://x.org/?a=%23x%3Fy")
    })
  })
})

describe("encodeForm", () => {
  it.each([
    "plain",
    "",
    "a b",
    "!'()~*-._",
    "+&=%#?/:;@,$[]{}|\\^`\"<>",
    "é€😀",
    "line\r\nbreak\ttab\u0000nul",
    "lone \uD800 high",
    "lone \uDC00 low",
    "x\uDBFF\uDFFFy"
  ])("matches URLSearchParams for %j", (value) => {
    expect(encodeForm({ [value]: value })).toBe(new URLSearchParams([[value, value]]).toString())
  })

  it("joins pairs with &", () => {
    expect(encodeForm([["a", "1"], ["b", "2"]])).toBe("a=1&b=2")
  })

  it("skips inherited keys", () => {
    const record = Object.create({ inherited: "x" }) as Record<string, string>
    record["own"] = "y"
    expect(encodeForm(record)).toBe("own=y")
  })
})

describe("originOf / sameOrigin", () => {
  it("normalises case and default ports", () => {
    expect(originOf("https://Example.COM:443/x?y")).toBe("https://example.com")
    expect(originOf("http://example.com:8080/")).toBe("http://example.com:8080")
    expect(sameOrigin("http://a.com/x", "http://A.com:80/y?z")).toBe(true)
  })

  it("differs on scheme, host or port", () => {
    expect(sameOrigin("http://a.com/", "https://a.com/")).toBe(false)
    expect(sameOrigin("http://a.com/", "http://b.a.com/")).toBe(false)
    expect(sameOrigin("http://a.com/", "http://a.com:81/")).toBe(false)
  })

  it("is never the same for unparsable or opaque origins", () => {
    expect(originOf("not a url")).toBeUndefined()
    expect(originOf("file:///etc/passwd")).toBeUndefined()
    expect(sameOrigin("file:///a", "file:///a")).toBe(false)
    expect(sameOrigin("nope", "nope")).toBe(false)
  })
})

describe("shouldStripAuth (requests' Session.should_strip_auth)", () => {
  it.each([
    // test_should_strip_auth_host_change
    ["http://example.com/foo", "http://another.example.com/", true],
    // test_should_strip_auth_http_downgrade
    ["https://example.com/foo", "http://example.com/bar", true],
    // test_should_strip_auth_https_upgrade
    ["http://example.com/foo", "https://example.com/bar", false],
    ["http://example.com:80/foo", "https://example.com/bar", false],
    ["http://example.com/foo", "https://example.com:443/bar", false],
    ["http://example.com:8080/foo", "https://example.com/bar", true],
    ["http://example.com/foo", "https://example.com:8443/bar", true],
    // test_should_strip_auth_port_change
    ["http://example.com:1234/foo", "http://example.com:4321/bar", true],
    // test_should_strip_auth_default_port
    ["https://example.com/foo", "https://example.com:443/bar", false],
    ["http://example.com:80/foo", "http://example.com/bar", false],
    // same origin, host case
    ["http://Example.com/a", "http://example.com/b", false],
    ["http://example.com:8080/a", "http://example.com:8080/b", false],
    // unparsable: strip, to be safe
    ["http://example.com/", "::nonsense", true]
  ])("%s → %s: %s", (from, to, strip) => {
    expect(shouldStripAuth(from, to)).toBe(strip)
  })
})

describe("resolveLocation", () => {
  it("resolves relative locations against the current URL (RFC 7231 allows them)", () => {
    expect(resolveLocation("http://x.org/a?q=1", "/b")).toBe("http://x.org/b")
    expect(resolveLocation("http://x.org/a/b", "c")).toBe("http://x.org/a/c")
    expect(resolveLocation("http://x.org/a/b", "../c?d=e")).toBe("http://x.org/c?d=e")
    expect(resolveLocation("http://x.org/a", "?page=2")).toBe("http://x.org/a?page=2")
  })

  it("keeps the current scheme for scheme-relative locations (requests: RFC 1808 '//host')", () => {
    expect(resolveLocation("https://x.org/a", "//y.org/p")).toBe("https://y.org/p")
  })

  it("takes absolute locations as they are, normalised", () => {
    expect(resolveLocation("http://x.org/a", "HTTPS://Y.org/z w")).toBe("https://y.org/z%20w")
    expect(resolveLocation("http://x.org/a", "ftp://y.org/f")).toBe("ftp://y.org/f")
  })

  it("keeps the previous fragment when the location has none (RFC 7231 7.1.2)", () => {
    expect(resolveLocation("http://x.org/a#frag", "/b")).toBe("http://x.org/b#frag")
    expect(resolveLocation("http://x.org/a#frag", "http://y.org/b")).toBe("http://y.org/b#frag")
    expect(resolveLocation("http://x.org/a#frag", "/b#new")).toBe("http://x.org/b#new")
    expect(resolveLocation("http://x.org/a", "/b")).toBe("http://x.org/b")
  })

  it("re-decodes a UTF-8 location that arrived as Latin-1 (requests' get_redirect_target)", () => {
    const garbled = Buffer.from("/ünïcode/€", "utf8").toString("latin1")
    expect(resolveLocation("http://x.org/", garbled)).toBe("http://x.org/%C3%BCn%C3%AFcode/%E2%82%AC")
    // Real Latin-1 that is not valid UTF-8 stays as it is.
    expect(resolveLocation("http://x.org/", "/caf\u00e9")).toBe("http://x.org/caf%C3%A9")
  })

  it("returns an unparsable location as given, for prepareUrl to report", () => {
    expect(resolveLocation("http://x.org/", " http://[bad/ ")).toBe("http://[bad/")
  })
})
