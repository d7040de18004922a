import { RequestException } from "./RequestException.js"

/**
 * The URL has no scheme (`"example.com/x"`, `"nota url"`): requests' "No scheme supplied. Perhaps you
 * meant https://...?"
 */
export class MissingSchema extends RequestException {
  override readonly _tag = "MissingSchema" as const
}
