/**
 * The executor's queue held `maxQueued` futures already, with `onFull: "reject"`. Thrown by `submit` and by
 * the request methods themselves, at once.
 */
export class QueueFull extends Error {
  readonly _tag = "QueueFull" as const
  readonly maxQueued: number

  constructor(message: string, options: { readonly maxQueued: number }) {
    super(message)
    this.maxQueued = options.maxQueued
  }

  override get name(): string {
    return this._tag
  }
}
