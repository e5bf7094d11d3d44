/** xorshift32: deterministic pseudo-random numbers in [0, 1) for fuzz tests, so a failure can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x1_0000_0000
  }
}
