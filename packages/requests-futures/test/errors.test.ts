import {
  CancelledError,
  ProxyError,
  SSLError,
  ChunkedEncodingError,
  ConnectionError,
  ConnectTimeout,
  ContentDecodingError,
  FuturesSession,
  HTTPError,
  InvalidBody,
  InvalidHeader,
  InvalidMaxWorkers,
  InvalidSchema,
  InvalidURL,
  JSONDecodeError,
  MissingSchema,
  ReadTimeout,
  type RequestError,
  RequestException,
  Response,
  RetryError,
  Session,
  Timeout,
  TimeoutError,
  TooManyRedirects
} from "requests-futures"
import { afterAll, describe, expect, it } from "vitest"
import { freePort, useHttpbin } from "./fixtures.js"

const httpbin = useHttpbin()
const session = new FuturesSession({ maxWorkers: 4 })
afterAll(() => session.close())

/** The error a request fails with, through the future's typed `settle()`. */
const failure = async (url: string, options?: Parameters<FuturesSession["get"]>[1]): Promise<RequestError> => {
  const outcome = await session.get(url, options).settle()
  if (outcome.ok) throw new Error(`expected ${url} to fail, got ${outcome.value.statusCode}`)
  if (outcome.error instanceof CancelledError) throw new Error("unexpectedly cancelled")
  return outcome.error
}

const expectError = (error: unknown, cls: abstract new(...args: never) => Error, tag: string) => {
  expect(error).toBeInstanceOf(cls)
  expect(error).toBeInstanceOf(RequestException)
  expect(error).toBeInstanceOf(Error)
  expect((error as RequestException)._tag).toBe(tag)
  expect((error as Error).name).toBe(tag)
  expect((error as Error).constructor.name).not.toBe("FiberFailure")
}

describe("every failure is a class of requests' tree, with _tag, request and cause", () => {
  it("a refused connection is ConnectionError, with the method and URL", async () => {
    const url = `http://127.0.0.1:${await freePort()}/x`
    const error = await failure(url)
    expectError(error, ConnectionError, "ConnectionError")
    expect(error.request).toEqual({ method: "GET", url })
    expect(error.message).toContain("ECONNREFUSED")
    expect(error.cause).toBeDefined()
  })

  it("TLS to a plain-HTTP port is SSLError; an unreachable proxy is ProxyError; both ConnectionErrors", async () => {
    const tls = await failure(httpbin.url.replace("http://", "https://") + "/get")
    expectError(tls, SSLError, "SSLError")
    expect(tls).toBeInstanceOf(ConnectionError)
    await using proxied = new Session({ proxies: { http: `http://127.0.0.1:${await freePort()}` }, trustEnv: false })
    const proxy = await proxied.get(`${httpbin.url}/get`).catch((e: unknown) => e)
    expectError(proxy, ProxyError, "ProxyError")
    expect(proxy).toBeInstanceOf(ConnectionError)
  })

  it("'nota url' is MissingSchema, 'http://' is InvalidURL, 'ftp://' is InvalidSchema", async () => {
    expectError(await failure("nota url"), MissingSchema, "MissingSchema")
    expectError(await failure("http://"), InvalidURL, "InvalidURL")
    const schema = await failure("ftp://example.com/x")
    expectError(schema, InvalidSchema, "InvalidSchema")
    expect((schema as InvalidSchema).scheme).toBe("ftp")
  })

  it("a header with CR/LF is InvalidHeader, and nothing is sent", async () => {
    const before = httpbin.server.requests().length
    const error = await failure(`${httpbin.url}/get`, { headers: { "X-Evil": "a\r\nInjected: yes" } })
    expectError(error, InvalidHeader, "InvalidHeader")
    expect((error as InvalidHeader).header).toBe("X-Evil")
    expect(httpbin.server.requests().length).toBe(before)
  })

  it("a json body that JSON cannot encode is InvalidBody, and nothing is sent", async () => {
    const error = await failure(`${httpbin.url}/post`, { json: { n: 1n } })
    expectError(error, InvalidBody, "InvalidBody")
  })

  it("a socket closed before the response, or headers too large, is ConnectionError", async () => {
    expectError(await failure(`${httpbin.url}/fault/close-before-response`), ConnectionError, "ConnectionError")
    expectError(await failure(`${httpbin.url}/fault/huge-headers`), ConnectionError, "ConnectionError")
  })

  it("a body cut short (reset, truncated chunked, short Content-Length) is ChunkedEncodingError", async () => {
    for (const path of ["reset-mid-body", "truncated-chunked", "short-content-length"]) {
      expectError(await failure(`${httpbin.url}/fault/${path}`), ChunkedEncodingError, "ChunkedEncodingError")
    }
  })

  it("gzip that does not decode is ContentDecodingError", async () => {
    const error = await failure(`${httpbin.url}/fault/bad-gzip`)
    expectError(error, ContentDecodingError, "ContentDecodingError")
    expect((error as ContentDecodingError).encoding).toBe("gzip")
  })

  it("a stall before the headers or in the body is ReadTimeout, a Timeout", async () => {
    const headers = await failure(`${httpbin.url}/fault/stall-headers/1000`, { timeout: { connect: 1000, read: 100 } })
    expectError(headers, ReadTimeout, "ReadTimeout")
    expect(headers).toBeInstanceOf(Timeout)
    expect([(headers as ReadTimeout).phase, (headers as ReadTimeout).timeoutMs]).toEqual(["headers", 100])
    const body = await failure(`${httpbin.url}/fault/stall-body/1000`, { timeout: 100 })
    expectError(body, ReadTimeout, "ReadTimeout")
    expect((body as ReadTimeout).phase).toBe("body")
  })

  it("no free connection within the connect timeout is ConnectTimeout, a Timeout", async () => {
    await using narrow = new Session({ connections: 1 })
    const busy = narrow.get(`${httpbin.url}/delay/0.5`)
    const error = await narrow.get(`${httpbin.url}/get`, { timeout: { connect: 100 } }).catch((e: unknown) => e)
    expectError(error, ConnectTimeout, "ConnectTimeout")
    expect(error).toBeInstanceOf(Timeout)
    expect(error).not.toBeInstanceOf(ReadTimeout)
    await busy
  })

  it("a redirect loop is TooManyRedirects with the history; a redirect to file: is InvalidSchema", async () => {
    const loop = await failure(`${httpbin.url}/fault/redirect-loop`, { maxRedirects: 3 })
    expectError(loop, TooManyRedirects, "TooManyRedirects")
    expect((loop as TooManyRedirects).history.map((r) => r.statusCode)).toEqual([302, 302, 302, 302])
    const file = await failure(`${httpbin.url}/fault/redirect-file`)
    expectError(file, InvalidSchema, "InvalidSchema")
    expect((file as InvalidSchema).scheme).toBe("file")
  })

  it("TooManyRedirects carries the redirect it did not follow as a Response (requests' e.response)", async () => {
    const error = await failure(`${httpbin.url}/redirect/4`, { maxRedirects: 3 })
    expectError(error, TooManyRedirects, "TooManyRedirects")
    const { response, history } = error as TooManyRedirects
    expect(response).toBeInstanceOf(Response)
    expect(response).toBe(history.at(-1))
    expect([response.statusCode, response.url]).toEqual([302, `${httpbin.url}/relative-redirect/1`])
    expect(response.headers.get("location")).toBe("/get")
  })

  it("json() on HTML is JSONDecodeError holding the same response", async () => {
    const response = await session.get(`${httpbin.url}/html`)
    let error: unknown
    try {
      response.json()
    } catch (e) {
      error = e
    }
    expectError(error, JSONDecodeError, "JSONDecodeError")
    expect((error as JSONDecodeError).response).toBe(response)
    expect((error as JSONDecodeError).cause).toBeInstanceOf(SyntaxError)
  })

  it("exhausted retries on a status are RetryError whose last error is the HTTPError", async () => {
    const error = await failure(`${httpbin.url}/status/503`, { retry: { limit: 1, backoff: 10 } })
    expectError(error, RetryError, "RetryError")
    expect((error as RetryError).attempts.map((a) => a.status)).toEqual([503, 503])
    expect((error as RetryError).message).toBe(`GET ${httpbin.url}/status/503: gave up after 2 attempts (503, 503)`)
    expect((error as RetryError).last).toBeInstanceOf(HTTPError)
  })

  it("RetryError carries the last response as a Response, the same as its last HTTPError's", async () => {
    const error = await failure(`${httpbin.url}/status/502`, { retry: { limit: 1, backoff: 10 } })
    expectError(error, RetryError, "RetryError")
    const { response, last } = error as RetryError
    expect(response).toBeInstanceOf(Response)
    expect([response.statusCode, response.url]).toEqual([502, `${httpbin.url}/status/502`])
    expect((last as HTTPError).response).toBe(response)
  })

  it("a response after retries lists the failed attempts; RetryError's response those before the last", async () => {
    const response = await session.get(`${httpbin.url}/flaky/facade/2?status=500`, { retry: { limit: 2, backoff: 10 } })
    expect(response.statusCode).toBe(200)
    expect(response.retries.map((attempt) => attempt.status)).toEqual([500, 500])
    expect(response.retries.every((attempt) => attempt.waitedMs >= 0 && attempt.waitedMs <= 20)).toBe(true)
    const error = await failure(`${httpbin.url}/status/429`, { retry: { limit: 1, backoff: 10 } })
    expectError(error, RetryError, "RetryError")
    expect((error as RetryError).response.retries).toEqual((error as RetryError).attempts.slice(0, 1))
  })

  it("a switch on _tag narrows the settled error", async () => {
    const outcome = await session.get(`${httpbin.url}/fault/stall-headers/1000`, { timeout: 50 }).settle()
    let handled = "nothing"
    if (!outcome.ok) {
      switch (outcome.error._tag) {
        case "ReadTimeout":
          handled = `read timeout in the ${outcome.error.phase}`
          break
        case "CancelledError":
          handled = "cancelled"
          break
        default:
          handled = outcome.error.message
      }
    }
    expect(handled).toBe("read timeout in the headers")
  })
})

describe("the errors of futures are outside RequestException, as in concurrent.futures", () => {
  it("CancelledError and TimeoutError are Errors with a _tag, not RequestExceptions", async () => {
    const future = session.get(`${httpbin.url}/delay/0.3`)
    const timeout = await future.result(20).catch((e: unknown) => e)
    expect(timeout).toBeInstanceOf(TimeoutError)
    expect(timeout).not.toBeInstanceOf(RequestException)
    expect((timeout as TimeoutError)._tag).toBe("TimeoutError")
    expect((timeout as TimeoutError).request?.url).toBe(`${httpbin.url}/delay/0.3`)
    future.cancel()
    const cancelled = await future.result().catch((e: unknown) => e)
    expect(cancelled).toBeInstanceOf(CancelledError)
    expect(cancelled).not.toBeInstanceOf(RequestException)
    expect((cancelled as CancelledError)._tag).toBe("CancelledError")
    expect((cancelled as CancelledError).name).toBe("CancelledError")
  })

  it("a maxWorkers that is not a positive integer throws InvalidMaxWorkers", () => {
    for (const maxWorkers of [0, -1, 1.5, Number.NaN]) {
      expect(() => new FuturesSession({ maxWorkers })).toThrow(InvalidMaxWorkers)
    }
  })
})
