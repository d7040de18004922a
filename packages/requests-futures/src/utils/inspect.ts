import type { InspectOptionsStylized, inspect as nodeInspect } from "node:util"

/** What Node passes to a `[Symbol.for("nodejs.util.inspect.custom")]` method. */
export type InspectArgs = readonly [depth: number, options: InspectOptionsStylized, inspect: typeof nodeInspect]

/**
 * `Name { ...fields }` as `util.inspect` prints a class instance: the fields stand for the object
 * itself, at its depth (`[Name]` past the depth limit); fields left `undefined` are not shown.
 */
export const inspectAs = (name: string, fields: Readonly<Record<string, unknown>>, ...args: InspectArgs): string => {
  const [depth, options, inspect] = args
  if (depth < 0) return options.stylize(`[${name}]`, "special")
  const shown: Record<string, unknown> = {}
  for (const key of Object.keys(fields)) if (fields[key] !== undefined) shown[key] = fields[key]
  return `${name} ${inspect(shown, { ...options, depth })}`
}
