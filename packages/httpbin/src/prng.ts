/**
 * Python's `random` (MT19937) seeded from an integer, so `/bytes/:n?seed=` and
 * `/stream-bytes/:n?seed=` return the same bytes as httpbin.org for the same seed.
 */

const N = 624
const M = 397

export class PythonRandom {
  private readonly state = new Uint32Array(N)
  private index = N + 1

  constructor(seed: bigint) {
    this.seedByArray(keyWords(seed < 0n ? -seed : seed))
  }

  /** `random.randint(0, 255)`: CPython draws 9 bits and rejects values above 255. */
  nextByte(): number {
    for (;;) {
      const r = this.nextUint32() >>> 23
      if (r < 256) return r
    }
  }

  /** Fills a buffer as a sequence of `randint(0, 255)` calls would. */
  fill(target: Uint8Array): Uint8Array {
    for (let i = 0; i < target.length; i++) target[i] = this.nextByte()
    return target
  }

  private initGenrand(seed: number): void {
    const mt = this.state
    mt[0] = seed >>> 0
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = N
  }

  private seedByArray(key: ReadonlyArray<number>): void {
    const mt = this.state
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0
      i++
      j++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
    }
    mt[0] = 0x80000000
    this.index = N
  }

  private twist(): void {
    const mt = this.state
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff)
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
    }
    this.index = 0
  }

  private nextUint32(): number {
    if (this.index >= N) this.twist()
    let y = this.state[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }
}

// CPython splits the absolute seed into little-endian 32-bit words (at least one).
const keyWords = (seed: bigint): ReadonlyArray<number> => {
  const words: Array<number> = []
  let rest = seed
  do {
    words.push(Number(rest & 0xffffffffn))
    rest >>= 32n
  } while (rest > 0n)
  return words
}
