// AssemblyScript, compiled with matMul.ts by scripts/build-wasm.mjs into ../simdWasm.ts (issue 12).
// GroupNorm (+ SiLU) forward with 128-bit SIMD, run directly on tfjs-backend-wasm's heap: the
// module imports tfjs's memory and is given byte offsets of the tensors. The JavaScript version
// (groupNormKernels.ts) computes the statistics in one pass and the rest with four wasm kernels
// (x·A, + B, sigmoid, ·); here it is two passes, about twice as fast. Same arithmetic: float64
// sums of x and x² per (image, group), z = x·A + B with A = γ·rstd, B = β − mean·A per channel.
// No data segments, no globals, no allocation: nothing of tfjs's memory is touched but the
// tensors passed in.

// exp(x) for x <= 0, 4 lanes: x = n ln2 + r with |r| <= ln2/2 and e^r from Cephes expf's
// polynomial. n is rounded by adding 1.5·2^23 + 127, whose low mantissa bits then hold n + 127:
// shifted into the exponent field they are 2^n (the trick XNNPACK's sigmoid uses).
function expNonPositive(x: v128): v128 {
  x = f32x4.pmax(x, f32x4.splat(-87.0));
  const magic = f32x4.splat(12583039.0);
  const nb = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), magic);
  const twoN = i32x4.shl(nb, 23);
  const n = f32x4.sub(nb, magic);
  // ln 2 in two parts (0.693359375 has few bits, so n·it is exact).
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.1219444e-4)));
  let p = f32x4.splat(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  return f32x4.mul(p, twoN);
}

// sigmoid(z), 4 lanes, from t = exp(−|z|): 1/(1 + t) for z >= 0, t/(1 + t) below (no overflow).
function sigmoid4(z: v128): v128 {
  const t = expNonPositive(f32x4.neg(f32x4.abs(z)));
  const num = v128.bitselect(f32x4.splat(1.0), t, f32x4.ge(z, f32x4.splat(0.0)));
  return f32x4.div(num, f32x4.add(t, f32x4.splat(1.0)));
}

function sigmoid1(z: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(z)), 0);
}

/**
 * x, y, s: [n, hw, c] float32; gamma, beta: [c]; stats: [n, groups, 2] (mean, rstd) float32;
 * acc: 2c float64 and coef: 2c float32 of scratch. Writes y = silu?(z) and, with SiLU,
 * s = sigmoid(z) (what the gradient needs). All pointers are byte offsets.
 */
export function groupNormForward(
  x: usize,
  y: usize,
  s: usize,
  gamma: usize,
  beta: usize,
  stats: usize,
  acc: usize,
  coef: usize,
  n: i32,
  hw: i32,
  c: i32,
  groups: i32,
  eps: f64,
  silu: i32,
): void {
  const cg = c / groups;
  const c4 = c & ~3;
  const count = <f64>(hw * cg);
  const s1 = acc;
  const s2 = acc + ((<usize>c) << 3);
  const A = coef;
  const B = coef + ((<usize>c) << 2);
  for (let b = 0; b < n; b++) {
    const image = (<usize>(b * hw * c)) << 2;
    // Per-channel float64 sums of x and x² over the image's pixels.
    memory.fill(acc, 0, (<usize>c) << 4);
    for (let i = 0; i < hw; i++) {
      const row = x + image + ((<usize>(i * c)) << 2);
      let k = 0;
      for (; k < c4; k += 4) {
        const v = v128.load(row + ((<usize>k) << 2));
        const lo = f64x2.promote_low_f32x4(v);
        const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
        const p1 = s1 + ((<usize>k) << 3);
        const p2 = s2 + ((<usize>k) << 3);
        v128.store(p1, f64x2.add(v128.load(p1), lo));
        v128.store(p1, f64x2.add(v128.load(p1, 16), hi), 16);
        v128.store(p2, f64x2.add(v128.load(p2), f64x2.mul(lo, lo)));
        v128.store(p2, f64x2.add(v128.load(p2, 16), f64x2.mul(hi, hi)), 16);
      }
      for (; k < c; k++) {
        const v = <f64>load<f32>(row + ((<usize>k) << 2));
        const p1 = s1 + ((<usize>k) << 3);
        const p2 = s2 + ((<usize>k) << 3);
        store<f64>(p1, load<f64>(p1) + v);
        store<f64>(p2, load<f64>(p2) + v * v);
      }
    }
    // Mean and rstd per group (biased variance, as Wu & He 2018), then A and B per channel.
    for (let g = 0; g < groups; g++) {
      let t1: f64 = 0;
      let t2: f64 = 0;
      for (let k = g * cg; k < (g + 1) * cg; k++) {
        t1 += load<f64>(s1 + ((<usize>k) << 3));
        t2 += load<f64>(s2 + ((<usize>k) << 3));
      }
      const m = t1 / count;
      const r = 1.0 / Math.sqrt(Math.max(0.0, t2 / count - m * m) + eps);
      const st = stats + ((<usize>(b * groups + g)) << 3);
      store<f32>(st, <f32>m);
      store<f32>(st, <f32>r, 4);
      for (let k = g * cg; k < (g + 1) * cg; k++) {
        const a = <f64>load<f32>(gamma + ((<usize>k) << 2)) * r;
        store<f32>(A + ((<usize>k) << 2), <f32>a);
        store<f32>(B + ((<usize>k) << 2), <f32>(<f64>load<f32>(beta + ((<usize>k) << 2)) - m * a));
      }
    }
    for (let i = 0; i < hw; i++) {
      const at = image + ((<usize>(i * c)) << 2);
      let k = 0;
      for (; k < c4; k += 4) {
        const kb = (<usize>k) << 2;
        const z = f32x4.add(
          f32x4.mul(v128.load(x + at + kb), v128.load(A + kb)),
          v128.load(B + kb),
        );
        if (silu) {
          const sg = sigmoid4(z);
          v128.store(s + at + kb, sg);
          v128.store(y + at + kb, f32x4.mul(z, sg));
        } else {
          v128.store(y + at + kb, z);
        }
      }
      for (; k < c; k++) {
        const kb = (<usize>k) << 2;
        const z = load<f32>(x + at + kb) * load<f32>(A + kb) + load<f32>(B + kb);
        if (silu) {
          const sg = sigmoid1(z);
          store<f32>(s + at + kb, sg);
          store<f32>(y + at + kb, z * sg);
        } else {
          store<f32>(y + at + kb, z);
        }
      }
    }
  }
}

/**
 * The gradient of groupNormForward in two passes per image (groupNormKernels.ts has the algebra):
 *   pass 1: dz = silu ? dy·(s + y·(1 − s)) : dy, written to dx; float64 sums per channel
 *           S1 = Σ_hw dz and S2 = Σ_hw dz·x;
 *   then per group m1 = Σ_c γ S1 / N, m2 = Σ_c γ rstd (S2 − mean S1) / N, and per channel
 *           P = rstd γ, Q = −rstd² m2, R = rstd (mean rstd m2 − m1);
 *   pass 2: dx = dz·P + x·Q + R, in place.
 * dgamma += rstd (S2 − mean S1) and dbeta += S1 over the images, in float64 (dg, db: c float64
 * each, zeroed here), written as float32 to dgamma, dbeta at the end. x, y, s, dy, dx:
 * [n, hw, c] float32 (s, y unread without SiLU); stats: [n, groups, 2] (mean, rstd); acc: 2c
 * float64 and coef: 3c float32 of scratch. All pointers are byte offsets.
 */
export function groupNormBackward(
  x: usize,
  y: usize,
  s: usize,
  dy: usize,
  dx: usize,
  gamma: usize,
  stats: usize,
  dgamma: usize,
  dbeta: usize,
  dg: usize,
  db: usize,
  acc: usize,
  coef: usize,
  n: i32,
  hw: i32,
  c: i32,
  groups: i32,
  silu: i32,
): void {
  const cg = c / groups;
  const c4 = c & ~3;
  const count = <f64>(hw * cg);
  const s1 = acc;
  const s2 = acc + ((<usize>c) << 3);
  const P = coef;
  const Q = coef + ((<usize>c) << 2);
  const R = coef + ((<usize>c) << 3);
  const one = f32x4.splat(1.0);
  memory.fill(dg, 0, (<usize>c) << 3);
  memory.fill(db, 0, (<usize>c) << 3);
  for (let b = 0; b < n; b++) {
    const image = (<usize>(b * hw * c)) << 2;
    memory.fill(acc, 0, (<usize>c) << 4);
    for (let i = 0; i < hw; i++) {
      const at = image + ((<usize>(i * c)) << 2);
      let k = 0;
      for (; k < c4; k += 4) {
        const kb = (<usize>k) << 2;
        let d = v128.load(dy + at + kb);
        if (silu) {
          const sg = v128.load(s + at + kb);
          const t = f32x4.mul(v128.load(y + at + kb), f32x4.sub(one, sg));
          d = f32x4.mul(d, f32x4.add(t, sg));
        }
        v128.store(dx + at + kb, d);
        const xd = f32x4.mul(d, v128.load(x + at + kb));
        const p1 = s1 + ((<usize>k) << 3);
        const p2 = s2 + ((<usize>k) << 3);
        v128.store(p1, f64x2.add(v128.load(p1), f64x2.promote_low_f32x4(d)));
        v128.store(
          p1,
          f64x2.add(
            v128.load(p1, 16),
            f64x2.promote_low_f32x4(v128.shuffle<f32>(d, d, 2, 3, 0, 1)),
          ),
          16,
        );
        v128.store(p2, f64x2.add(v128.load(p2), f64x2.promote_low_f32x4(xd)));
        v128.store(
          p2,
          f64x2.add(
            v128.load(p2, 16),
            f64x2.promote_low_f32x4(v128.shuffle<f32>(xd, xd, 2, 3, 0, 1)),
          ),
          16,
        );
      }
      for (; k < c; k++) {
        const kb = (<usize>k) << 2;
        let d = load<f32>(dy + at + kb);
        if (silu) {
          const sg = load<f32>(s + at + kb);
          d = d * (load<f32>(y + at + kb) * (1.0 - sg) + sg);
        }
        store<f32>(dx + at + kb, d);
        const p1 = s1 + ((<usize>k) << 3);
        const p2 = s2 + ((<usize>k) << 3);
        store<f64>(p1, load<f64>(p1) + <f64>d);
        store<f64>(p2, load<f64>(p2) + <f64>(d * load<f32>(x + at + kb)));
      }
    }
    for (let g = 0; g < groups; g++) {
      const st = stats + ((<usize>(b * groups + g)) << 3);
      const m = <f64>load<f32>(st);
      const r = <f64>load<f32>(st, 4);
      let m1: f64 = 0;
      let m2: f64 = 0;
      for (let k = g * cg; k < (g + 1) * cg; k++) {
        const k8 = (<usize>k) << 3;
        const a = load<f64>(s1 + k8);
        const centred = r * (load<f64>(s2 + k8) - m * a);
        store<f64>(db + k8, load<f64>(db + k8) + a);
        store<f64>(dg + k8, load<f64>(dg + k8) + centred);
        const gk = <f64>load<f32>(gamma + ((<usize>k) << 2));
        m1 += gk * a;
        m2 += gk * centred;
      }
      m1 /= count;
      m2 /= count;
      for (let k = g * cg; k < (g + 1) * cg; k++) {
        const kb = (<usize>k) << 2;
        store<f32>(P + kb, <f32>(r * <f64>load<f32>(gamma + kb)));
        store<f32>(Q + kb, <f32>(-r * r * m2));
        store<f32>(R + kb, <f32>(r * (m * r * m2 - m1)));
      }
    }
    for (let i = 0; i < hw; i++) {
      const at = image + ((<usize>(i * c)) << 2);
      let k = 0;
      for (; k < c4; k += 4) {
        const kb = (<usize>k) << 2;
        const v = f32x4.add(
          f32x4.add(
            f32x4.mul(v128.load(dx + at + kb), v128.load(P + kb)),
            f32x4.mul(v128.load(x + at + kb), v128.load(Q + kb)),
          ),
          v128.load(R + kb),
        );
        v128.store(dx + at + kb, v);
      }
      for (; k < c; k++) {
        const kb = (<usize>k) << 2;
        store<f32>(
          dx + at + kb,
          load<f32>(dx + at + kb) * load<f32>(P + kb) +
            load<f32>(x + at + kb) * load<f32>(Q + kb) +
            load<f32>(R + kb),
        );
      }
    }
  }
  for (let k = 0; k < c; k++) {
    store<f32>(dgamma + ((<usize>k) << 2), <f32>load<f64>(dg + ((<usize>k) << 3)));
    store<f32>(dbeta + ((<usize>k) << 2), <f32>load<f64>(db + ((<usize>k) << 3)));
  }
}
