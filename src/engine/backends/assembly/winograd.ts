// AssemblyScript, compiled with the other kernels here by scripts/build-wasm.mjs into
// ../simdWasm.ts (issue 12). A 3×3 convolution, stride 1, 'same' zero padding, NHWC, HWIO filter,
// bias, by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms for
// Convolutional Neural Networks", eq. 8): each 2×2 block of outputs is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A
// for its 4×4 input tile d, so the products over the input channels become 16 matrix products
// (one per tile position ξ) with 4 multiply-adds per output instead of 9. The transforms are
// additions (and halves, exact) done four channels at a time.
//
// Not XNNPACK's arithmetic: outputs differ from a direct convolution by float32 rounding (the
// test bounds it against float64). The sampling workers compute every image with this kernel
// whatever their batch, so their parts still equal a whole batch bit for bit.
//
// Scratch (all float32, byte offsets): u [16, cin, cout] for the transformed filter, v
// [16, tiles, cin] and m [16, tiles, cout] for one chunk of `tiles` tiles (a multiple of 4).

// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
// Aᵀ = [1 1 1 0; 0 1 −1 −1].

/** u[ξ, c, o] = (G g[:, :, c, o] Gᵀ)[ξ], four output channels at a time (cout % 4 == 0). */
export function winogradFilter(w: usize, u: usize, cin: i32, cout: i32): void {
  const half = f32x4.splat(0.5);
  const tap = <usize>cin * <usize>cout * 4; // bytes from one (ky, kx) to the next
  const plane = tap; // bytes from one ξ to the next in u
  for (let c = 0; c < cin; c++) {
    for (let o = 0; o < cout; o += 4) {
      const at = (<usize>c * <usize>cout + <usize>o) * 4;
      const src = w + at;
      // Rows of G g (over ky), for each kx.
      const g00 = v128.load(src),
        g01 = v128.load(src + tap),
        g02 = v128.load(src + 2 * tap);
      const g10 = v128.load(src + 3 * tap),
        g11 = v128.load(src + 4 * tap),
        g12 = v128.load(src + 5 * tap);
      const g20 = v128.load(src + 6 * tap),
        g21 = v128.load(src + 7 * tap),
        g22 = v128.load(src + 8 * tap);
      // t[i][kx] = (G g)[i][kx]
      const t00 = g00,
        t01 = g01,
        t02 = g02;
      const t10 = f32x4.mul(f32x4.add(f32x4.add(g00, g10), g20), half);
      const t11 = f32x4.mul(f32x4.add(f32x4.add(g01, g11), g21), half);
      const t12 = f32x4.mul(f32x4.add(f32x4.add(g02, g12), g22), half);
      const t20 = f32x4.mul(f32x4.add(f32x4.sub(g00, g10), g20), half);
      const t21 = f32x4.mul(f32x4.add(f32x4.sub(g01, g11), g21), half);
      const t22 = f32x4.mul(f32x4.add(f32x4.sub(g02, g12), g22), half);
      const t30 = g20,
        t31 = g21,
        t32 = g22;
      const dst = u + at;
      filterRow(dst, plane, t00, t01, t02, half);
      filterRow(dst + 4 * plane, plane, t10, t11, t12, half);
      filterRow(dst + 8 * plane, plane, t20, t21, t22, half);
      filterRow(dst + 12 * plane, plane, t30, t31, t32, half);
    }
  }
}

/** One row of (G g) Gᵀ: the four ξ = (i, 0..3) planes from t[i][0..2]. */
function filterRow(dst: usize, plane: usize, a: v128, b: v128, c: v128, half: v128): void {
  v128.store(dst, a);
  v128.store(dst + plane, f32x4.mul(f32x4.add(f32x4.add(a, b), c), half));
  v128.store(dst + 2 * plane, f32x4.mul(f32x4.add(f32x4.sub(a, b), c), half));
  v128.store(dst + 3 * plane, c);
}

/**
 * v[ξ, t, c] = (Bᵀ d B)[ξ] for the chunk's tiles t = 0..count-1, tile index first + t (row-major
 * over images, tile rows, tile columns); tiles from count to `tiles` are zeroed. cin % 4 == 0.
 */
export function winogradInput(
  x: usize,
  v: usize,
  zero: usize,
  h: i32,
  wd: i32,
  cin: i32,
  first: i32,
  count: i32,
  tiles: i32,
): void {
  const th = (h + 1) >> 1;
  const tw = (wd + 1) >> 1;
  const px = <usize>cin * 4; // bytes per pixel
  const plane = <usize>tiles * px; // bytes from one ξ to the next in v
  for (let t = 0; t < tiles; t++) {
    const dst = v + <usize>t * px;
    if (t >= count) {
      for (let k = 0; k < 16; k++) memory.fill(dst + <usize>k * plane, 0, px);
      continue;
    }
    const index = first + t;
    const img = index / (th * tw);
    const rem = index - img * th * tw;
    const y0 = (rem / tw) * 2 - 1;
    const x0 = (rem % tw) * 2 - 1;
    const base = x + <usize>img * <usize>h * <usize>wd * px;
    // The tile's 16 pixel pointers (the zero pixel outside the image).
    let p00 = zero,
      p01 = zero,
      p02 = zero,
      p03 = zero,
      p10 = zero,
      p11 = zero,
      p12 = zero,
      p13 = zero;
    let p20 = zero,
      p21 = zero,
      p22 = zero,
      p23 = zero,
      p30 = zero,
      p31 = zero,
      p32 = zero,
      p33 = zero;
    for (let i = 0; i < 4; i++) {
      const yy = y0 + i;
      if (yy < 0 || yy >= h) continue;
      const row = base + <usize>yy * <usize>wd * px;
      const q0 = x0 >= 0 ? row + <usize>x0 * px : zero;
      const q1 = row + <usize>(x0 + 1) * px;
      const q2 = x0 + 2 < wd ? row + <usize>(x0 + 2) * px : zero;
      const q3 = x0 + 3 < wd ? row + <usize>(x0 + 3) * px : zero;
      if (i === 0) {
        p00 = q0;
        p01 = q1;
        p02 = q2;
        p03 = q3;
      } else if (i === 1) {
        p10 = q0;
        p11 = q1;
        p12 = q2;
        p13 = q3;
      } else if (i === 2) {
        p20 = q0;
        p21 = q1;
        p22 = q2;
        p23 = q3;
      } else {
        p30 = q0;
        p31 = q1;
        p32 = q2;
        p33 = q3;
      }
    }
    for (let c: usize = 0; c < px; c += 16) {
      // e = d B over each row (columns j: d0 − d2, d1 + d2, d2 − d1, d1 − d3).
      let d0 = v128.load(p00 + c),
        d1 = v128.load(p01 + c),
        d2 = v128.load(p02 + c),
        d3 = v128.load(p03 + c);
      const e00 = f32x4.sub(d0, d2),
        e01 = f32x4.add(d1, d2),
        e02 = f32x4.sub(d2, d1),
        e03 = f32x4.sub(d1, d3);
      d0 = v128.load(p10 + c);
      d1 = v128.load(p11 + c);
      d2 = v128.load(p12 + c);
      d3 = v128.load(p13 + c);
      const e10 = f32x4.sub(d0, d2),
        e11 = f32x4.add(d1, d2),
        e12 = f32x4.sub(d2, d1),
        e13 = f32x4.sub(d1, d3);
      d0 = v128.load(p20 + c);
      d1 = v128.load(p21 + c);
      d2 = v128.load(p22 + c);
      d3 = v128.load(p23 + c);
      const e20 = f32x4.sub(d0, d2),
        e21 = f32x4.add(d1, d2),
        e22 = f32x4.sub(d2, d1),
        e23 = f32x4.sub(d1, d3);
      d0 = v128.load(p30 + c);
      d1 = v128.load(p31 + c);
      d2 = v128.load(p32 + c);
      d3 = v128.load(p33 + c);
      const e30 = f32x4.sub(d0, d2),
        e31 = f32x4.add(d1, d2),
        e32 = f32x4.sub(d2, d1),
        e33 = f32x4.sub(d1, d3);
      // Bᵀ e over the rows: ξ = 4i + j.
      const o = dst + c;
      inputColumn(o, plane, e00, e10, e20, e30);
      inputColumn(o + plane, plane, e01, e11, e21, e31);
      inputColumn(o + 2 * plane, plane, e02, e12, e22, e32);
      inputColumn(o + 3 * plane, plane, e03, e13, e23, e33);
    }
  }
}

/** Bᵀ over one column j of e: stores ξ = j, 4 + j, 8 + j, 12 + j (4 planes apart). */
function inputColumn(dst: usize, plane: usize, a: v128, b: v128, c: v128, d: v128): void {
  v128.store(dst, f32x4.sub(a, c));
  v128.store(dst + 4 * plane, f32x4.add(b, c));
  v128.store(dst + 8 * plane, f32x4.sub(c, b));
  v128.store(dst + 12 * plane, f32x4.sub(b, d));
}

/**
 * m[ξ, t, o] = Σ_c v[ξ, t, c] · u[ξ, c, o] for every ξ, t < tiles (a multiple of 4) and o
 * (cout % 4 == 0): 4 tiles × 8 output channels in registers, then 4 × 4 for a last 4.
 */
export function winogradProducts(
  u: usize,
  v: usize,
  m: usize,
  tiles: i32,
  cin: i32,
  cout: i32,
): void {
  const vRow = <usize>cin * 4;
  const mRow = <usize>cout * 4;
  const o8 = cout & ~7;
  for (let xi = 0; xi < 16; xi++) {
    const U = u + <usize>xi * <usize>cin * mRow;
    const V = v + <usize>xi * <usize>tiles * vRow;
    const M = m + <usize>xi * <usize>tiles * mRow;
    for (let o = 0; o < o8; o += 8)
      products8(U + <usize>o * 4, V, M + <usize>o * 4, tiles, cin, vRow, mRow);
    if (o8 < cout) products4(U + <usize>o8 * 4, V, M + <usize>o8 * 4, tiles, cin, vRow, mRow);
  }
}

/** Columns o..o+7 of one ξ's product (u, m offset to o); a function of its own so that V8 keeps its loop's values in registers. */
function products8(
  U: usize,
  V: usize,
  M: usize,
  tiles: i32,
  cin: i32,
  vRow: usize,
  mRow: usize,
): void {
  for (let t = 0; t < tiles; t += 4) {
    const p0 = V + <usize>t * vRow;
    const p1 = p0 + vRow;
    const p2 = p1 + vRow;
    const p3 = p2 + vRow;
    let wp = U;
    let a00 = f32x4.splat(0),
      a01 = a00,
      a10 = a00,
      a11 = a00,
      a20 = a00,
      a21 = a00,
      a30 = a00,
      a31 = a00;
    for (let c = 0; c < cin; c++) {
      const b0 = v128.load(wp),
        b1 = v128.load(wp, 16);
      const off = <usize>c * 4;
      let s = v128.load32_splat(p0 + off);
      a00 = f32x4.add(f32x4.mul(s, b0), a00);
      a01 = f32x4.add(f32x4.mul(s, b1), a01);
      s = v128.load32_splat(p1 + off);
      a10 = f32x4.add(f32x4.mul(s, b0), a10);
      a11 = f32x4.add(f32x4.mul(s, b1), a11);
      s = v128.load32_splat(p2 + off);
      a20 = f32x4.add(f32x4.mul(s, b0), a20);
      a21 = f32x4.add(f32x4.mul(s, b1), a21);
      s = v128.load32_splat(p3 + off);
      a30 = f32x4.add(f32x4.mul(s, b0), a30);
      a31 = f32x4.add(f32x4.mul(s, b1), a31);
      wp += mRow;
    }
    let op = M + <usize>t * mRow;
    v128.store(op, a00);
    v128.store(op, a01, 16);
    op += mRow;
    v128.store(op, a10);
    v128.store(op, a11, 16);
    op += mRow;
    v128.store(op, a20);
    v128.store(op, a21, 16);
    op += mRow;
    v128.store(op, a30);
    v128.store(op, a31, 16);
  }
}

/** As products8 for 4 columns. */
function products4(
  U: usize,
  V: usize,
  M: usize,
  tiles: i32,
  cin: i32,
  vRow: usize,
  mRow: usize,
): void {
  for (let t = 0; t < tiles; t += 4) {
    const p0 = V + <usize>t * vRow;
    const p1 = p0 + vRow;
    const p2 = p1 + vRow;
    const p3 = p2 + vRow;
    let wp = U;
    let a0 = f32x4.splat(0),
      a1 = a0,
      a2 = a0,
      a3 = a0;
    for (let c = 0; c < cin; c++) {
      const b = v128.load(wp);
      const off = <usize>c * 4;
      a0 = f32x4.add(f32x4.mul(v128.load32_splat(p0 + off), b), a0);
      a1 = f32x4.add(f32x4.mul(v128.load32_splat(p1 + off), b), a1);
      a2 = f32x4.add(f32x4.mul(v128.load32_splat(p2 + off), b), a2);
      a3 = f32x4.add(f32x4.mul(v128.load32_splat(p3 + off), b), a3);
      wp += mRow;
    }
    let op = M + <usize>t * mRow;
    v128.store(op, a0);
    v128.store((op += mRow), a1);
    v128.store((op += mRow), a2);
    v128.store((op += mRow), a3);
  }
}

/**
 * out = Aᵀ m A + bias for the chunk's tiles t < count (tile index first + t), only the outputs
 * inside the image stored. cout % 4 == 0.
 */
export function winogradOutput(
  m: usize,
  bias: usize,
  out: usize,
  h: i32,
  wd: i32,
  cout: i32,
  first: i32,
  count: i32,
  tiles: i32,
): void {
  const th = (h + 1) >> 1;
  const tw = (wd + 1) >> 1;
  const px = <usize>cout * 4;
  const plane = <usize>tiles * px;
  for (let t = 0; t < count; t++) {
    const index = first + t;
    const img = index / (th * tw);
    const rem = index - img * th * tw;
    const y = (rem / tw) * 2;
    const x = (rem % tw) * 2;
    const right = x + 1 < wd;
    const below = y + 1 < h;
    const o00 = out + ((<usize>img * <usize>h + <usize>y) * <usize>wd + <usize>x) * px;
    const o10 = o00 + <usize>wd * px;
    const src = m + <usize>t * px;
    for (let o: usize = 0; o < px; o += 16) {
      const s = src + o;
      // Aᵀ over the rows (i): r0 = m0 + m1 + m2, r1 = m1 − m2 − m3, for each column j.
      const m00 = v128.load(s),
        m01 = v128.load(s + plane),
        m02 = v128.load(s + 2 * plane),
        m03 = v128.load(s + 3 * plane);
      const m10 = v128.load(s + 4 * plane),
        m11 = v128.load(s + 5 * plane),
        m12 = v128.load(s + 6 * plane),
        m13 = v128.load(s + 7 * plane);
      const m20 = v128.load(s + 8 * plane),
        m21 = v128.load(s + 9 * plane),
        m22 = v128.load(s + 10 * plane),
        m23 = v128.load(s + 11 * plane);
      const m30 = v128.load(s + 12 * plane),
        m31 = v128.load(s + 13 * plane),
        m32 = v128.load(s + 14 * plane),
        m33 = v128.load(s + 15 * plane);
      const r00 = f32x4.add(f32x4.add(m00, m10), m20),
        r01 = f32x4.add(f32x4.add(m01, m11), m21),
        r02 = f32x4.add(f32x4.add(m02, m12), m22),
        r03 = f32x4.add(f32x4.add(m03, m13), m23);
      const r10 = f32x4.sub(f32x4.sub(m10, m20), m30),
        r11 = f32x4.sub(f32x4.sub(m11, m21), m31),
        r12 = f32x4.sub(f32x4.sub(m12, m22), m32),
        r13 = f32x4.sub(f32x4.sub(m13, m23), m33);
      const b = v128.load(bias + o);
      // … then over the columns (j), plus the bias.
      v128.store(o00 + o, f32x4.add(f32x4.add(f32x4.add(r00, r01), r02), b));
      if (right) v128.store(o00 + px + o, f32x4.add(f32x4.sub(f32x4.sub(r01, r02), r03), b));
      if (below) {
        v128.store(o10 + o, f32x4.add(f32x4.add(f32x4.add(r10, r11), r12), b));
        if (right) v128.store(o10 + px + o, f32x4.add(f32x4.sub(f32x4.sub(r11, r12), r13), b));
      }
    }
  }
}

// The weight gradient, dw[ky, kx, ci, co] = Σ x[n, y + ky − 1, x + kx − 1, ci] · dy[n, y, x, co],
// by the same F(2×2, 3×3) read backwards (the transposition principle): per 2×2 block of dy and
// its 4×4 tile of x, the 3×3 gradient is Gᵀ[(A dy Aᵀ) ⊙ (Bᵀ x B)]G, and since that is linear the
// products are summed over all tiles first: 16 matrix products [cin × tiles]·[tiles × cout],
// then one transform per (ci, co). The x tiles are winogradInput's.

/**
 * d[ξ, t, o] = (A dy Aᵀ)[ξ] for the chunk's 2×2 blocks of dy (A = [1 0; 1 1; 1 −1; 0 −1]; the
 * block's pixels outside the image count as 0); tiles from count to `tiles` are zeroed.
 */
export function winogradGradOutput(
  dy: usize,
  d: usize,
  zero: usize,
  h: i32,
  wd: i32,
  cout: i32,
  first: i32,
  count: i32,
  tiles: i32,
): void {
  const th = (h + 1) >> 1;
  const tw = (wd + 1) >> 1;
  const px = <usize>cout * 4;
  const plane = <usize>tiles * px;
  for (let t = 0; t < tiles; t++) {
    const dst = d + <usize>t * px;
    if (t >= count) {
      for (let k = 0; k < 16; k++) memory.fill(dst + <usize>k * plane, 0, px);
      continue;
    }
    const index = first + t;
    const img = index / (th * tw);
    const rem = index - img * th * tw;
    const y = (rem / tw) * 2;
    const x = (rem % tw) * 2;
    const p00 = dy + ((<usize>img * <usize>h + <usize>y) * <usize>wd + <usize>x) * px;
    const p01 = x + 1 < wd ? p00 + px : zero;
    const p10 = y + 1 < h ? p00 + <usize>wd * px : zero;
    const p11 = x + 1 < wd && y + 1 < h ? p00 + <usize>(wd + 1) * px : zero;
    for (let o: usize = 0; o < px; o += 16) {
      const a = v128.load(p00 + o),
        b = v128.load(p01 + o),
        c = v128.load(p10 + o),
        e = v128.load(p11 + o);
      // Rows of A·dy: (a, b), (a + c, b + e), (a − c, b − e), (−c, −e); then ·Aᵀ on each.
      gradRow(dst + o, plane, a, b);
      gradRow(dst + o + 4 * plane, plane, f32x4.add(a, c), f32x4.add(b, e));
      gradRow(dst + o + 8 * plane, plane, f32x4.sub(a, c), f32x4.sub(b, e));
      gradRow(dst + o + 12 * plane, plane, f32x4.neg(c), f32x4.neg(e));
    }
  }
}

/** (u, v)·Aᵀ = (u, u + v, u − v, −v) into ξ = 4i + 0..3. */
function gradRow(dst: usize, plane: usize, u: v128, v: v128): void {
  v128.store(dst, u);
  v128.store(dst + plane, f32x4.add(u, v));
  v128.store(dst + 2 * plane, f32x4.sub(u, v));
  v128.store(dst + 3 * plane, f32x4.neg(v));
}

/**
 * p[ξ, ci, co] += Σ_t v[ξ, t, ci] · d[ξ, t, co] over the chunk's `tiles` tiles (cin % 4 == 0,
 * cout % 4 == 0): 4 input × 8 output channels in registers, then 4 × 4 for a last 4.
 */
export function winogradGradProducts(
  v: usize,
  d: usize,
  p: usize,
  tiles: i32,
  cin: i32,
  cout: i32,
): void {
  const vRow = <usize>cin * 4;
  const dRow = <usize>cout * 4;
  const o8 = cout & ~7;
  for (let xi = 0; xi < 16; xi++) {
    const V = v + <usize>xi * <usize>tiles * vRow;
    const D = d + <usize>xi * <usize>tiles * dRow;
    const P = p + <usize>xi * <usize>cin * dRow;
    for (let ci = 0; ci < cin; ci += 4) {
      const Vc = V + <usize>ci * 4;
      const Pc = P + <usize>ci * dRow;
      for (let o = 0; o < o8; o += 8) {
        gradProducts8(Vc, D + <usize>o * 4, Pc + <usize>o * 4, tiles, vRow, dRow);
      }
      if (o8 < cout) gradProducts4(Vc, D + <usize>o8 * 4, Pc + <usize>o8 * 4, tiles, vRow, dRow);
    }
  }
}

/** Rows ci..ci+3 and columns o..o+7 of one ξ's sum (V, D, P offset to them). */
function gradProducts8(V: usize, D: usize, P: usize, tiles: i32, vRow: usize, dRow: usize): void {
  let a00 = v128.load(P),
    a01 = v128.load(P, 16);
  let a10 = v128.load(P + dRow),
    a11 = v128.load(P + dRow, 16);
  let a20 = v128.load(P + 2 * dRow),
    a21 = v128.load(P + 2 * dRow, 16);
  let a30 = v128.load(P + 3 * dRow),
    a31 = v128.load(P + 3 * dRow, 16);
  let vp = V;
  let dp = D;
  for (let t = 0; t < tiles; t++) {
    const b0 = v128.load(dp),
      b1 = v128.load(dp, 16);
    let s = v128.load32_splat(vp);
    a00 = f32x4.add(f32x4.mul(s, b0), a00);
    a01 = f32x4.add(f32x4.mul(s, b1), a01);
    s = v128.load32_splat(vp, 4);
    a10 = f32x4.add(f32x4.mul(s, b0), a10);
    a11 = f32x4.add(f32x4.mul(s, b1), a11);
    s = v128.load32_splat(vp, 8);
    a20 = f32x4.add(f32x4.mul(s, b0), a20);
    a21 = f32x4.add(f32x4.mul(s, b1), a21);
    s = v128.load32_splat(vp, 12);
    a30 = f32x4.add(f32x4.mul(s, b0), a30);
    a31 = f32x4.add(f32x4.mul(s, b1), a31);
    vp += vRow;
    dp += dRow;
  }
  v128.store(P, a00);
  v128.store(P, a01, 16);
  v128.store(P + dRow, a10);
  v128.store(P + dRow, a11, 16);
  v128.store(P + 2 * dRow, a20);
  v128.store(P + 2 * dRow, a21, 16);
  v128.store(P + 3 * dRow, a30);
  v128.store(P + 3 * dRow, a31, 16);
}

/** As gradProducts8 for 4 columns. */
function gradProducts4(V: usize, D: usize, P: usize, tiles: i32, vRow: usize, dRow: usize): void {
  let a0 = v128.load(P),
    a1 = v128.load(P + dRow),
    a2 = v128.load(P + 2 * dRow),
    a3 = v128.load(P + 3 * dRow);
  let vp = V;
  let dp = D;
  for (let t = 0; t < tiles; t++) {
    const b = v128.load(dp);
    a0 = f32x4.add(f32x4.mul(v128.load32_splat(vp), b), a0);
    a1 = f32x4.add(f32x4.mul(v128.load32_splat(vp, 4), b), a1);
    a2 = f32x4.add(f32x4.mul(v128.load32_splat(vp, 8), b), a2);
    a3 = f32x4.add(f32x4.mul(v128.load32_splat(vp, 12), b), a3);
    vp += vRow;
    dp += dRow;
  }
  v128.store(P, a0);
  v128.store(P + dRow, a1);
  v128.store(P + 2 * dRow, a2);
  v128.store(P + 3 * dRow, a3);
}

/**
 * dw[ky, kx, ci, co] = (Gᵀ p[:, ci, co] G)[ky, kx] (Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1]), four
 * output channels at a time.
 */
export function winogradGradFilter(p: usize, dw: usize, cin: i32, cout: i32): void {
  const half = f32x4.splat(0.5);
  const plane = <usize>cin * <usize>cout * 4; // bytes from one ξ (or one tap of dw) to the next
  for (let ci = 0; ci < cin; ci++) {
    for (let o = 0; o < cout; o += 4) {
      const at = (<usize>ci * <usize>cout + <usize>o) * 4;
      const s = p + at;
      // r[k][j] = (Gᵀ p)[k][j] over the rows i of ξ = 4i + j.
      const r00 = gradG0(s, plane, 0, half),
        r01 = gradG0(s, plane, 1, half),
        r02 = gradG0(s, plane, 2, half),
        r03 = gradG0(s, plane, 3, half);
      const r10 = gradG1(s, plane, 0, half),
        r11 = gradG1(s, plane, 1, half),
        r12 = gradG1(s, plane, 2, half),
        r13 = gradG1(s, plane, 3, half);
      const r20 = gradG2(s, plane, 0, half),
        r21 = gradG2(s, plane, 1, half),
        r22 = gradG2(s, plane, 2, half),
        r23 = gradG2(s, plane, 3, half);
      const out = dw + at;
      gradTaps(out, plane, r00, r01, r02, r03, half);
      gradTaps(out + 3 * plane, plane, r10, r11, r12, r13, half);
      gradTaps(out + 6 * plane, plane, r20, r21, r22, r23, half);
    }
  }
}

/** Row 0 of Gᵀ applied to column j: p[0, j] + ½(p[1, j] + p[2, j]). */
function gradG0(s: usize, plane: usize, j: i32, half: v128): v128 {
  const q = s + <usize>j * plane;
  const sum = f32x4.add(v128.load(q + 4 * plane), v128.load(q + 8 * plane));
  return f32x4.add(v128.load(q), f32x4.mul(sum, half));
}

/** Row 1 of Gᵀ: ½(p[1, j] − p[2, j]). */
function gradG1(s: usize, plane: usize, j: i32, half: v128): v128 {
  const q = s + <usize>j * plane;
  return f32x4.mul(f32x4.sub(v128.load(q + 4 * plane), v128.load(q + 8 * plane)), half);
}

/** Row 2 of Gᵀ: ½(p[1, j] + p[2, j]) + p[3, j]. */
function gradG2(s: usize, plane: usize, j: i32, half: v128): v128 {
  const q = s + <usize>j * plane;
  const sum = f32x4.add(v128.load(q + 4 * plane), v128.load(q + 8 * plane));
  return f32x4.add(f32x4.mul(sum, half), v128.load(q + 12 * plane));
}

/** One row of the taps, ·G over j: (r0 + ½(r1 + r2), ½(r1 − r2), ½(r1 + r2) + r3). */
function gradTaps(
  out: usize,
  plane: usize,
  r0: v128,
  r1: v128,
  r2: v128,
  r3: v128,
  half: v128,
): void {
  const mid = f32x4.mul(f32x4.add(r1, r2), half);
  v128.store(out, f32x4.add(r0, mid));
  v128.store(out + plane, f32x4.mul(f32x4.sub(r1, r2), half));
  v128.store(out + 2 * plane, f32x4.add(mid, r3));
}
