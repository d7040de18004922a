import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from "node:http"
import { connect } from "node:net"
import { afterAll, beforeAll } from "vitest"
import { type Echo, startHttpbin, type HttpbinServer } from "@requests-futures/httpbin"

export type { Echo }

/** Starts one server for the file (ephemeral port) and closes it afterwards. */
export const useHttpbin = (): (() => HttpbinServer) => {
  let server: HttpbinServer | undefined
  beforeAll(async () => {
    server = await startHttpbin()
  })
  afterAll(async () => {
    await server?.close()
  })
  return () => {
    if (server === undefined) throw new Error("httpbin is not running")
    return server
  }
}

export const fetchJson = async <A = Echo>(
  url: string,
  init?: RequestInit
): Promise<{ readonly res: Response; readonly body: A; readonly text: string }> => {
  const res = await fetch(url, init)
  const text = await res.text()
  return { res, body: JSON.parse(text) as A, text }
}

export interface RawResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: Buffer
}

/** node:http without redirects or decompression, so tests see exactly what the server sent. */
export const rawRequest = (
  url: string,
  options: RequestOptions & { readonly body?: string | Buffer } = {}
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const { body, ...rest } = options
    // node:http sends a GET body unframed unless told its length
    const headers = body === undefined ? rest.headers : { "Content-Length": Buffer.byteLength(body), ...rest.headers }
    const req = httpRequest(url, { agent: false, ...rest, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks)
        })
      )
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

/** Writes raw bytes on a fresh TCP connection and collects everything until the server closes it. */
export const rawExchange = (
  server: HttpbinServer,
  payload: string | Buffer,
  { closeAfterMs = 2_000 }: { readonly closeAfterMs?: number } = {}
): Promise<{ readonly data: Buffer; readonly error: Error | undefined }> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let error: Error | undefined
    const socket = connect(server.port, server.host, () => socket.write(payload))
    const timer = setTimeout(() => socket.destroy(), closeAfterMs)
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", (e) => {
      error = e
    })
    socket.on("close", () => {
      clearTimeout(timer)
      resolve({ data: Buffer.concat(chunks), error })
    })
  })

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
