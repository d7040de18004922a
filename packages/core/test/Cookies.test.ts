import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { CookieJar } from "../src/Cookies.js"

afterEach(() => {
  vi.useRealTimers()
})

describe("CookieJar", () => {
  describe("empty jar", () => {
    it("has no header, no cookies", () => {
      const jar = new CookieJar()
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
      expect(jar.size).toBe(0)
      expect(jar.list()).toEqual([])
      expect(jar.toRecord()).toEqual({})
      expect([...jar]).toEqual([])
    })

    it("answers without asking tough-cookie, even for a URL it could not parse", () => {
      const jar = CookieJar.make()
      expect(jar.cookieHeader("not a url")).toBeUndefined()
    })
  })

  describe("storeFromResponse / cookieHeader", () => {
    it("stores a host-only cookie and sends it back to that host only", () => {
      const jar = new CookieJar()
      const stored = jar.storeFromResponse("http://example.com/", ["a=1"])
      expect(stored).toEqual([
        { name: "a", value: "1", domain: "example.com", path: "/", secure: false, httpOnly: false, hostOnly: true }
      ])
      expect(jar.cookieHeader("http://example.com/anything")).toBe("a=1")
      expect(jar.cookieHeader("http://www.example.com/")).toBeUndefined()
      expect(jar.cookieHeader("http://example.org/")).toBeUndefined()
    })

    it("sends a Domain cookie to the domain and its subdomains, not to look-alikes", () => {
      const jar = new CookieJar()
      const [stored] = jar.storeFromResponse("http://www.example.com/", ["d=1; Domain=.example.com"])
      expect(stored).toMatchObject({ domain: "example.com", hostOnly: false })
      expect(jar.cookieHeader("http://example.com/")).toBe("d=1")
      expect(jar.cookieHeader("http://a.b.example.com/")).toBe("d=1")
      expect(jar.cookieHeader("http://notexample.com/")).toBeUndefined()
      expect(jar.cookieHeader("http://example.com.evil.org/")).toBeUndefined()
    })

    it("matches paths: a cookie for /a is not sent to /b", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://example.com/", ["p=1; Path=/a"])
      expect(jar.cookieHeader("http://example.com/a")).toBe("p=1")
      expect(jar.cookieHeader("http://example.com/a/b?x=1")).toBe("p=1")
      expect(jar.cookieHeader("http://example.com/b")).toBeUndefined()
      expect(jar.cookieHeader("http://example.com/ab")).toBeUndefined()
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
    })

    it("uses the default path of the request URL when Path is absent", () => {
      const jar = new CookieJar()
      const [stored] = jar.storeFromResponse("http://example.com/dir/page", ["d=1"])
      expect(stored?.path).toBe("/dir")
      expect(jar.cookieHeader("http://example.com/dir/other")).toBe("d=1")
      expect(jar.cookieHeader("http://example.com/other")).toBeUndefined()
    })

    it("sends longer paths first", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://example.com/", ["short=1; Path=/", "long=2; Path=/a/b"])
      expect(jar.cookieHeader("http://example.com/a/b/c")).toBe("long=2; short=1")
    })

    it("replaces a cookie of the same name, domain and path", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://example.com/", ["a=1"])
      jar.storeFromResponse("http://example.com/", ["a=2"])
      expect(jar.cookieHeader("http://example.com/")).toBe("a=2")
      expect(jar.size).toBe(1)
    })

    it("keeps 127.0.0.1 and localhost apart, both ways", () => {
      const jar = new CookieJar()
      expect(jar.storeFromResponse("http://127.0.0.1:8080/", ["ip=1"])).toHaveLength(1)
      expect(jar.storeFromResponse("http://localhost:8080/", ["name=2"])).toHaveLength(1)
      expect(jar.cookieHeader("http://127.0.0.1:8080/x")).toBe("ip=1")
      expect(jar.cookieHeader("http://127.0.0.1:9999/x")).toBe("ip=1") // cookies ignore the port
      expect(jar.cookieHeader("http://localhost:8080/x")).toBe("name=2")
      expect(jar.cookieHeader("http://[::1]:8080/")).toBeUndefined()
    })

    it("accepts Domain=localhost and Domain=<the IP itself>", () => {
      const jar = new CookieJar()
      expect(jar.storeFromResponse("http://localhost/", ["a=1; Domain=localhost"])).toHaveLength(1)
      expect(jar.storeFromResponse("http://127.0.0.1/", ["b=2; Domain=127.0.0.1"])).toHaveLength(1)
      expect(jar.cookieHeader("http://localhost/")).toBe("a=1")
      expect(jar.cookieHeader("http://127.0.0.1/")).toBe("b=2")
    })

    it("sends Secure cookies over https only, localhost included", () => {
      const jar = new CookieJar()
      expect(jar.storeFromResponse("https://example.com/", ["s=1; Secure"])).toHaveLength(1)
      expect(jar.storeFromResponse("https://localhost/", ["l=1; Secure"])).toHaveLength(1)
      expect(jar.cookieHeader("https://example.com/")).toBe("s=1")
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
      expect(jar.cookieHeader("https://localhost/")).toBe("l=1")
      expect(jar.cookieHeader("http://localhost/")).toBeUndefined()
    })

    it("drops a Secure cookie set over plain http", () => {
      const jar = new CookieJar()
      expect(jar.storeFromResponse("http://localhost/", ["s=1; Secure"])).toEqual([])
      expect(jar.storeFromResponse("http://example.com/", ["s=1; Secure"])).toEqual([])
      expect(jar.cookieHeader("https://example.com/")).toBeUndefined()
    })

    it("sends HttpOnly cookies (this is an HTTP client)", () => {
      const jar = new CookieJar()
      const [stored] = jar.storeFromResponse("http://example.com/", ["h=1; HttpOnly"])
      expect(stored?.httpOnly).toBe(true)
      expect(jar.cookieHeader("http://example.com/")).toBe("h=1")
    })

    it("ignores invalid Set-Cookie values one by one and never throws", () => {
      const jar = new CookieJar()
      const stored = jar.storeFromResponse("http://www.example.com/", [
        "garbage",
        "=novalue",
        "other=1; Domain=other.com",
        "suffix=1; Domain=com",
        "ok=1",
        "sub=1; Domain=sub.www.example.com"
      ])
      expect(stored.map((c) => c.name)).toEqual(["ok"])
      expect(jar.cookieHeader("http://www.example.com/")).toBe("ok=1")
      expect(jar.cookieHeader("http://other.com/")).toBeUndefined()
      expect(() => jar.storeFromResponse("not a url", ["a=1"])).not.toThrow()
      expect(jar.storeFromResponse("not a url", ["a=1"])).toEqual([])
    })

    it("reports the Expires of a persistent cookie", () => {
      const jar = new CookieJar()
      const [stored] = jar.storeFromResponse("http://example.com/", ["e=1; Expires=Wed, 01 Jan 2100 00:00:00 GMT"])
      expect(stored?.expires?.toISOString()).toBe("2100-01-01T00:00:00.000Z")
    })
  })

  describe("expiry", () => {
    it("does not send a cookie past its Max-Age, however often it was used", () => {
      vi.useFakeTimers({ toFake: ["Date"] })
      vi.setSystemTime(new Date("2030-01-01T00:00:00Z"))
      const jar = new CookieJar()
      const [stored] = jar.storeFromResponse("http://example.com/", ["m=1; Max-Age=1"])
      expect(stored?.expires?.toISOString()).toBe("2030-01-01T00:00:01.000Z")
      vi.setSystemTime(new Date("2030-01-01T00:00:00.600Z"))
      // tough-cookie alone counts Max-Age from the last access: this use would extend it.
      expect(jar.cookieHeader("http://example.com/")).toBe("m=1")
      vi.setSystemTime(new Date("2030-01-01T00:00:01.200Z"))
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
      expect(jar.size).toBe(0)
    })

    it("expires a Max-Age cookie in real time", async () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://example.com/", ["m=1; Max-Age=1"])
      expect(jar.cookieHeader("http://example.com/")).toBe("m=1")
      await new Promise((resolve) => setTimeout(resolve, 1100))
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
    })

    it("deletes a cookie with Max-Age=0 (httpbin's /cookies/delete)", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://127.0.0.1/", ["a=1; Path=/", "b=2; Path=/"])
      const stored = jar.storeFromResponse("http://127.0.0.1/cookies/delete?a", ["a=; Max-Age=0; Path=/"])
      expect(stored).toEqual([])
      expect(jar.cookieHeader("http://127.0.0.1/")).toBe("b=2")
      expect(jar.toRecord()).toEqual({ b: "2" })
    })

    it("deletes a cookie with a past Expires", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://example.com/", ["a=1"])
      expect(jar.storeFromResponse("http://example.com/", ["a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"])).toEqual([])
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
      expect(jar.size).toBe(0)
    })

    it("deletes only the cookie of the same path", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("http://example.com/", ["a=root; Path=/", "a=sub; Path=/sub"])
      jar.storeFromResponse("http://example.com/", ["a=; Max-Age=0; Path=/sub"])
      expect(jar.cookieHeader("http://example.com/sub/x")).toBe("a=root")
    })
  })

  describe("user read/write", () => {
    it("set / get / delete / toRecord", () => {
      const jar = new CookieJar()
      jar.set("k", "v")
      jar.set("d", "1", { domain: "example.com", path: "/p" })
      expect(jar.get("k")).toBe("v")
      expect(jar.get("d")).toBe("1")
      expect(jar.get("d", { domain: ".example.com" })).toBe("1")
      expect(jar.get("d", { domain: "example.org" })).toBeUndefined()
      expect(jar.get("d", { path: "/" })).toBeUndefined()
      expect(jar.get("missing")).toBeUndefined()
      expect(jar.toRecord()).toEqual({ k: "v", d: "1" })
      expect(jar.size).toBe(2)
      expect(jar.delete("k")).toBe(true)
      expect(jar.delete("k")).toBe(false)
      expect(jar.toRecord()).toEqual({ d: "1" })
      expect(jar.delete("d", { domain: "example.org" })).toBe(false)
      expect(jar.delete("d", { domain: "example.com" })).toBe(true)
      expect(jar.size).toBe(0)
      expect(jar.cookieHeader("http://example.com/p")).toBeUndefined()
    })

    it("sends a cookie set without a domain to every host, honouring path and Secure", () => {
      const jar = CookieJar.make({ token: "abc" })
      jar.set("scoped", "1", { path: "/api" })
      jar.set("sec", "1", { secure: true })
      expect(jar.cookieHeader("http://example.com/")).toBe("token=abc")
      expect(jar.cookieHeader("http://127.0.0.1:8080/api/x")).toBe("token=abc; scoped=1")
      expect(jar.cookieHeader("https://localhost/")).toBe("token=abc; sec=1")
      expect(jar.list()).toContainEqual({
        name: "token",
        value: "abc",
        domain: "",
        path: "/",
        secure: false,
        httpOnly: false,
        hostOnly: false
      })
    })

    it("lets a stored cookie of the same name win over a domainless one where it applies", () => {
      const jar = CookieJar.make({ a: "user" })
      jar.storeFromResponse("http://example.com/", ["a=server"])
      expect(jar.cookieHeader("http://example.com/")).toBe("a=server")
      expect(jar.cookieHeader("http://example.org/")).toBe("a=user")
    })

    it("set with a domain is domain-wide (requests), or host-only when asked", () => {
      const jar = new CookieJar()
      jar.set("wide", "1", { domain: "example.com" })
      jar.set("host", "1", { domain: "example.com", hostOnly: true })
      expect(jar.cookieHeader("http://example.com/")).toBe("wide=1; host=1")
      expect(jar.cookieHeader("http://www.example.com/")).toBe("wide=1")
      expect(jar.cookieHeader("http://example.org/")).toBeUndefined()
    })

    it("set with maxAge or expires expires; maxAge <= 0 deletes", () => {
      vi.useFakeTimers({ toFake: ["Date"] })
      vi.setSystemTime(new Date("2030-01-01T00:00:00Z"))
      const jar = new CookieJar()
      jar.set("a", "1", { maxAge: 10 })
      jar.set("b", "1", { domain: "example.com", expires: new Date("2030-01-01T00:00:05Z") })
      expect(jar.get("a")).toBe("1")
      expect(jar.list().find((c) => c.name === "a")?.expires?.toISOString()).toBe("2030-01-01T00:00:10.000Z")
      vi.setSystemTime(new Date("2030-01-01T00:00:06Z"))
      expect(jar.cookieHeader("http://example.com/")).toBe("a=1")
      vi.setSystemTime(new Date("2030-01-01T00:00:11Z"))
      expect(jar.cookieHeader("http://example.com/")).toBeUndefined()
      jar.set("c", "1")
      jar.set("c", "1", { maxAge: 0 })
      expect(jar.get("c")).toBeUndefined()
    })

    it("rejects a name or value that would corrupt the Cookie header", () => {
      const jar = new CookieJar()
      expect(() => jar.set("a b", "1")).toThrow(TypeError)
      expect(() => jar.set("a", "1;b=2")).toThrow(TypeError)
      expect(() => jar.set("a", "1\r\nX-Injected: 1")).toThrow(TypeError)
      expect(jar.size).toBe(0)
    })

    it("clear() empties, clear(domain) removes one domain", () => {
      const jar = CookieJar.make({ free: "1" })
      jar.storeFromResponse("http://a.com/", ["a=1"])
      jar.storeFromResponse("http://b.com/", ["b=1"])
      jar.clear("a.com")
      expect(jar.toRecord()).toEqual({ b: "1", free: "1" })
      jar.clear("")
      expect(jar.toRecord()).toEqual({ b: "1" })
      jar.clear()
      expect(jar.size).toBe(0)
      expect(jar.cookieHeader("http://b.com/")).toBeUndefined()
    })

    it("iterates CookieInfo and rebuilds from it", () => {
      const jar = new CookieJar()
      jar.storeFromResponse("https://example.com/", ["a=1; Secure; HttpOnly; Path=/x"])
      jar.set("b", "2")
      const infos = [...jar]
      expect(infos.map((c) => c.name)).toEqual(["a", "b"])
      const rebuilt = CookieJar.make(infos)
      expect(rebuilt.list()).toEqual(jar.list())
      expect(rebuilt.cookieHeader("https://example.com/x")).toBe("a=1; b=2")
      expect(rebuilt.cookieHeader("https://www.example.com/x")).toBe("b=2")
    })

    it("copy() is independent; update() merges", () => {
      const jar = CookieJar.make({ a: "1" })
      jar.storeFromResponse("http://example.com/", ["s=1"])
      const copy = jar.copy()
      copy.set("a", "2")
      copy.storeFromResponse("http://example.com/", ["s=2"])
      expect(jar.toRecord()).toEqual({ s: "1", a: "1" })
      expect(copy.toRecord()).toEqual({ s: "2", a: "2" })

      const other = new CookieJar()
      other.storeFromResponse("http://example.com/", ["s=3", "t=1"])
      jar.update(other)
      jar.update({ c: "x" })
      expect(jar.cookieHeader("http://example.com/")).toBe("s=3; t=1; a=1; c=x")
      expect(other.toRecord()).toEqual({ s: "3", t: "1" })
    })
  })

  describe("merged", () => {
    it("returns the base itself when there is nothing to merge", () => {
      const base = CookieJar.make({ a: "1" })
      expect(CookieJar.merged(base, undefined)).toBe(base)
      expect(CookieJar.merged(base, {})).toBe(base)
      expect(CookieJar.merged(base, new CookieJar())).toBe(base)
    })

    it("lets request cookies win without changing the session's jar", () => {
      const base = new CookieJar()
      base.storeFromResponse("http://example.com/", ["session=s", "keep=k"])
      const merged = CookieJar.merged(base, { session: "override", extra: "e" })
      expect(merged).not.toBe(base)
      expect(merged.cookieHeader("http://example.com/")).toBe("keep=k; session=override; extra=e")
      expect(merged.cookieHeader("http://other.com/")).toBe("session=override; extra=e")
      expect(base.cookieHeader("http://example.com/")).toBe("session=s; keep=k")
      expect(base.cookieHeader("http://other.com/")).toBeUndefined()
      expect(base.size).toBe(2)
    })

    it("merges a jar of request cookies the same way", () => {
      const base = CookieJar.make({ a: "base" })
      base.storeFromResponse("http://example.com/", ["b=base"])
      const extra = CookieJar.make({ b: "req" })
      extra.storeFromResponse("http://example.com/", ["c=req"])
      const merged = CookieJar.merged(base, extra)
      expect(merged.cookieHeader("http://example.com/")).toBe("c=req; a=base; b=req")
      expect(base.cookieHeader("http://example.com/")).toBe("b=base; a=base")
      expect(extra.size).toBe(2)
    })

    it("with a scope, binds request cookies to the request's host", () => {
      const base = new CookieJar()
      base.storeFromResponse("http://127.0.0.1/", ["session=s1", "other=o"])
      base.storeFromResponse("http://localhost/", ["session=s2"])
      const merged = CookieJar.merged(base, { session: "abc" }, "http://127.0.0.1:8080/redirect-to?x=1")
      expect(merged.cookieHeader("http://127.0.0.1:8080/anything")).toBe("other=o; session=abc")
      // After a redirect to another host: not the request cookie, but that host's session cookie.
      expect(merged.cookieHeader("http://localhost:8080/anything")).toBe("session=s2")
      expect(merged.cookieHeader("http://example.com/")).toBeUndefined()
      expect(merged.list().find((c) => c.value === "abc")).toMatchObject({ domain: "127.0.0.1", hostOnly: true })
      expect(base.cookieHeader("http://127.0.0.1/")).toBe("session=s1; other=o")
      // A jar of request cookies: its domainless cookies are scoped the same way.
      const fromJar = CookieJar.merged(base, CookieJar.make({ session: "abc" }), "http://127.0.0.1/")
      expect(fromJar.cookieHeader("http://localhost/")).toBe("session=s2")
      // An unparsable scope falls back to domainless cookies.
      expect(CookieJar.merged(base, { k: "v" }, "not a url").cookieHeader("http://example.com/")).toBe("k=v")
    })

    it("refuses a request cookie that would corrupt the header", () => {
      expect(() => CookieJar.merged(new CookieJar(), { "a;b": "1" })).toThrow(TypeError)
    })

    it("cookies stored in the merged jar do not reach the base", () => {
      const base = CookieJar.make({ a: "1" })
      const merged = CookieJar.merged(base, { b: "2" })
      merged.storeFromResponse("http://example.com/", ["c=3"])
      expect(base.toRecord()).toEqual({ a: "1" })
    })
  })
})
