// Background work for the benchmark: parse the body in the worker, send back only a summary.
export const summarize = (input) => {
  const { items } = input.json()
  let total = 0
  for (const item of items) total += item.price
  return { count: items.length, total }
}
