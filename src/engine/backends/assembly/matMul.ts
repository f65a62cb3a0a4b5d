// AssemblyScript, compiled with groupNorm.ts by scripts/build-wasm.mjs into ../simdWasm.ts.
// Batched products of small matrices (attention's q·kᵀ and p·v, 49×48 per image for the MNIST
// model) with 128-bit SIMD, in place on tfjs-backend-wasm's heap. tfjs's wasm BatchMatMul loops
// naively over a batch; ../matMul.ts made it one XNNPACK GEMM per entry, which at these sizes
// costs more to set up than to run (3-9 GFLOP/s); here 10-20 GFLOP/s. No data, no globals.

/** Horizontal sum of 4 lanes. */
function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/**
 * c[e] = op(a[e]) · op(b[e]) for e < batch (float32; c [batch, m, n]). op(a) is [m, k], stored
 * [k, m] when transposeA; op(b) is [k, n], stored [n, k] when transposeB. aStride, bStride:
 * elements from one entry to the next (0: the same matrix for every entry). Not both transposed.
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
  transposeB: i32,
): void {
  const n16 = n & ~15;
  const n4 = n & ~3;
  const k4 = k & ~3;
  for (let e = 0; e < batch; e++) {
    const A = a + ((<usize>(e * aStride)) << 2);
    const B = b + ((<usize>(e * bStride)) << 2);
    const C = c + ((<usize>(e * m * n)) << 2);
    if (!transposeB) {
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
    } else {
      // c[i, j] = row i of a · row j of b, four rows of b at a time.
      for (let i = 0; i < m; i++) {
        const arow = A + ((<usize>(i * k)) << 2);
        const crow = C + ((<usize>(i * n)) << 2);
        let j = 0;
        for (; j < n4; j += 4) {
          const b0 = B + ((<usize>(j * k)) << 2);
          const b1 = b0 + ((<usize>k) << 2);
          const b2 = b1 + ((<usize>k) << 2);
          const b3 = b2 + ((<usize>k) << 2);
          let s0 = f32x4.splat(0);
          let s1 = f32x4.splat(0);
          let s2 = f32x4.splat(0);
          let s3 = f32x4.splat(0);
          let kk = 0;
          for (; kk < k4; kk += 4) {
            const off = (<usize>kk) << 2;
            const av = v128.load(arow + off);
            s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b0 + off)));
            s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b1 + off)));
            s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b2 + off)));
            s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b3 + off)));
          }
          let t0 = hsum(s0);
          let t1 = hsum(s1);
          let t2 = hsum(s2);
          let t3 = hsum(s3);
          for (; kk < k; kk++) {
            const off = (<usize>kk) << 2;
            const av = load<f32>(arow + off);
            t0 += av * load<f32>(b0 + off);
            t1 += av * load<f32>(b1 + off);
            t2 += av * load<f32>(b2 + off);
            t3 += av * load<f32>(b3 + off);
          }
          store<f32>(crow + ((<usize>j) << 2), t0);
          store<f32>(crow + ((<usize>j) << 2), t1, 4);
          store<f32>(crow + ((<usize>j) << 2), t2, 8);
          store<f32>(crow + ((<usize>j) << 2), t3, 12);
        }
        for (; j < n; j++) {
          const brow = B + ((<usize>(j * k)) << 2);
          let s: f32 = 0;
          for (let kk = 0; kk < k; kk++)
            s += load<f32>(arow + ((<usize>kk) << 2)) * load<f32>(brow + ((<usize>kk) << 2));
          store<f32>(crow + ((<usize>j) << 2), s);
        }
      }
    }
  }
}
