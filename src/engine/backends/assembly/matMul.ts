// AssemblyScript, compiled with groupNorm.ts by scripts/build-wasm.mjs into ../simdWasm.ts.
// Batched products of small matrices (attention's q·kᵀ and p·v, 49×48 per image for the MNIST
// model) with 128-bit SIMD, in place on tfjs-backend-wasm's heap. tfjs's wasm BatchMatMul loops
// naively over a batch; ../matMul.ts made it one XNNPACK GEMM per entry, which at these sizes
// costs more to set up than to run (3-9 GFLOP/s); here 10-20 GFLOP/s. Each output is summed over
// k in order, a product then an add (wasm SIMD has no FMA), from 0: XNNPACK's GEMM does the same,
// so an image's values do not depend on whether its batch came here or went to XNNPACK (the
// sampling workers' parts must equal the whole batch's bit for bit). No data, no globals.

/**
 * c[e] = op(a[e]) · b[e] for e < batch (float32; c [batch, m, n], b [k, n]). op(a) is [m, k],
 * stored [k, m] when transposeA. aStride, bStride: elements from one entry to the next (0: the
 * same matrix for every entry).
 */
export function batchMatMul(
  a: usize,
  b: usize,
  c: usize,
  batch: i32,
  m: i32,
  k: i32,
  n: i32,
  aStride: i32,
  bStride: i32,
  transposeA: i32,
): void {
  const n16 = n & ~15;
  const n4 = n & ~3;
  for (let e = 0; e < batch; e++) {
    const A = a + ((<usize>(e * aStride)) << 2);
    const B = b + ((<usize>(e * bStride)) << 2);
    const C = c + ((<usize>(e * m * n)) << 2);
    // Row i of C = sum over kk of op(a)[i, kk] · row kk of b: 16 columns in registers.
    for (let i = 0; i < m; i++) {
      const crow = C + ((<usize>(i * n)) << 2);
      // op(a)[i, kk] is at aRow + kk · aStep.
      const aRow = transposeA ? A + ((<usize>i) << 2) : A + ((<usize>(i * k)) << 2);
      const aStep = transposeA ? (<usize>m) << 2 : 4;
      let j = 0;
      for (; j < n16; j += 16) {
        let c0 = f32x4.splat(0);
        let c1 = f32x4.splat(0);
        let c2 = f32x4.splat(0);
        let c3 = f32x4.splat(0);
        for (let kk = 0; kk < k; kk++) {
          const s = f32x4.splat(load<f32>(aRow + <usize>kk * aStep));
          const brow = B + ((<usize>(kk * n + j)) << 2);
          c0 = f32x4.add(c0, f32x4.mul(s, v128.load(brow)));
          c1 = f32x4.add(c1, f32x4.mul(s, v128.load(brow, 16)));
          c2 = f32x4.add(c2, f32x4.mul(s, v128.load(brow, 32)));
          c3 = f32x4.add(c3, f32x4.mul(s, v128.load(brow, 48)));
        }
        const at = crow + ((<usize>j) << 2);
        v128.store(at, c0);
        v128.store(at, c1, 16);
        v128.store(at, c2, 32);
        v128.store(at, c3, 48);
      }
      for (; j < n4; j += 4) {
        let c0 = f32x4.splat(0);
        for (let kk = 0; kk < k; kk++) {
          c0 = f32x4.add(
            c0,
            f32x4.mul(
              f32x4.splat(load<f32>(aRow + <usize>kk * aStep)),
              v128.load(B + ((<usize>(kk * n + j)) << 2)),
            ),
          );
        }
        v128.store(crow + ((<usize>j) << 2), c0);
      }
      for (; j < n; j++) {
        let s: f32 = 0;
        for (let kk = 0; kk < k; kk++)
          s += load<f32>(aRow + <usize>kk * aStep) * load<f32>(B + ((<usize>(kk * n + j)) << 2));
        store<f32>(crow + ((<usize>j) << 2), s);
      }
    }
  }
}
