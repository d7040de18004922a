import { pyFloat, pyInt } from "../parse.js"
import { HttpError, statusResponse } from "../response.js"
import { retryAfterHeaders } from "../retryAfter.js"
import { route, type Route } from "../router.js"

/**
 * /status/:codes — one code, or a random pick from "200,500" or weighted "200:0.9,500:0.1";
 * `?retry_after=` / `?retry_after_date=` add a Retry-After.
 */

const invalid = () => new HttpError(400, "Invalid status code")

// node:http can only write three-digit codes.
const validCode = (text: string): number => {
  const code = pyInt(text)
  if (code === undefined || code < 100 || code > 999) throw invalid()
  return code
}

/** httpbin's weighted_choice: cumulative weights and a bisect. */
const weightedChoice = (choices: ReadonlyArray<readonly [number, number]>): number => {
  let total = 0
  const cumulative = choices.map(([, weight]) => (total += weight))
  const x = Math.random() * total
  const index = cumulative.findIndex((c) => x < c)
  return choices[index === -1 ? choices.length - 1 : index]![0]
}

export const pickStatus = (codes: string): number => {
  if (!codes.includes(",")) return validCode(codes)
  const choices = codes.split(",").map((choice): readonly [number, number] => {
    const [code = "", weight, ...rest] = choice.split(":")
    const w = weight === undefined ? 1 : pyFloat(weight)
    if (w === undefined || rest.length > 0) throw invalid()
    return [validCode(code), w]
  })
  return weightedChoice(choices)
}

export const statusRoutes: ReadonlyArray<Route> = [
  route("/status/<codes>", ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"], (ex) =>
    statusResponse(ex, pickStatus(ex.params[0] ?? ""), retryAfterHeaders(ex))
  )
]
