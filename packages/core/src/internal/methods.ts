/** requests' method shortcuts (`get`, `post`, ...) over one `request` function, for every session kind. */
export interface MethodShortcuts<O, R> {
  readonly get: (url: string | URL, options?: O) => R
  readonly head: (url: string | URL, options?: O) => R
  readonly options: (url: string | URL, options?: O) => R
  readonly delete: (url: string | URL, options?: O) => R
  readonly post: (url: string | URL, options?: O) => R
  readonly put: (url: string | URL, options?: O) => R
  readonly patch: (url: string | URL, options?: O) => R
}

export const methodShortcuts = <O, R>(
  request: (init: O & { readonly method: string; readonly url: string | URL }) => R
): MethodShortcuts<O, R> => {
  const method = (m: string) => (url: string | URL, options?: O) =>
    request({ ...options, method: m, url } as O & { method: string; url: string | URL })
  return {
    get: method("GET"),
    head: method("HEAD"),
    options: method("OPTIONS"),
    delete: method("DELETE"),
    post: method("POST"),
    put: method("PUT"),
    patch: method("PATCH")
  }
}
