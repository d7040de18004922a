/** The runner's own tiny HTTP GET, on a fresh connection each time so it never shares a pool with a client. */
import { get } from "node:http"

export interface GetResult {
  readonly status: number
  readonly body: Buffer
}

export const httpGet = (url: string, timeoutMs = 5000): Promise<GetResult> =>
  new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }))
      response.on("error", reject)
    })
    request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)))
    request.on("error", reject)
  })
