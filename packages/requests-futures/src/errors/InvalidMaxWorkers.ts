/** `maxWorkers` is not a positive integer (`0`, `-1`, `1.5`, `NaN`). Thrown by the constructor. */
export class InvalidMaxWorkers extends Error {
  readonly _tag = "InvalidMaxWorkers" as const
  readonly maxWorkers: number

  constructor(message: string, options: { readonly maxWorkers: number }) {
    super(message)
    this.maxWorkers = options.maxWorkers
  }

  override get name(): string {
    return this._tag
  }
}
