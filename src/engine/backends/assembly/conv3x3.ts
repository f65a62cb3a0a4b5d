// AssemblyScript, compiled with the other kernels here by scripts/build-wasm.mjs into
// ../simdWasm.ts (issue 12). A 3×3 convolution, stride 1, 'same' zero padding, NHWC input, HWIO
// filter, plus a bias per output channel: every 3×3 conv of the U-Nets here. XNNPACK runs these as
// an indirect GEMM at 20-25 GFLOP/s on one core; this direct loop, 4 pixels × 8 output channels
// in registers, runs at 25-31 GFLOP/s on the same shapes (its set-up is nothing: XNNPACK packs
// the filter and builds an indirection buffer per shape).
//
// Same arithmetic as XNNPACK's: each output starts at its bias and adds x·w (a product, then an
// add: wasm SIMD has no FMA) over the 9 taps in order, and over the input channels in order within
// a tap, with a zero row where a tap falls outside the image. So the bits are XNNPACK's, and a
// conv that takes either path gives the same image (the sampling workers' parts must equal the
// whole batch bit for bit). No data, no globals, no allocation.
//
// The loop nest is written out by hand on purpose: an equivalent generated version, with a few
// more values live across the inner loop, made V8 keep five of them on the stack and reload them
// every iteration (17 instead of 28 GFLOP/s).

/**
 * out[img, y, x, o0..o1) = bias + Σ x[img, y+dy, x+dx, c] · w[dy+1, dx+1, c, o] for output
 * channels o0 to o1 (multiples of 8; cout the row length of w, bias and out). Pointers are byte
 * offsets; zero points at cin zeros.
 */
export function conv3x3(
  x: usize,
  w: usize,
  bias: usize,
  out: usize,
  zero: usize,
  n: i32,
  h: i32,
  wd: i32,
  cin: i32,
  cout: i32,
  o0: i32,
  o1: i32,
): void {
  const rowStride = <usize>wd * <usize>cin * 4;
  const imgStride = <usize>h * rowStride;
  const tapStride = <usize>cin * <usize>cout * 4;
  const cStride = <usize>cout * 4;
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * imgStride;
    const oi = out + <usize>img * <usize>h * <usize>wd * <usize>cout * 4;
    for (let y = 0; y < h; y++) {
      for (let x0 = 0; x0 < wd; x0 += 4) {
        for (let o = o0; o < o1; o += 8) {
          const bo = bias + <usize>o * 4;
          let a00 = v128.load(bo),
            a01 = v128.load(bo, 16);
          let a10 = a00,
            a11 = a01,
            a20 = a00,
            a21 = a01,
            a30 = a00,
            a31 = a01;
          for (let ky = 0; ky < 3; ky++) {
            const yy = y + ky - 1;
            if (yy < 0 || yy >= h) continue;
            const row = xi + <usize>yy * rowStride;
            for (let kx = 0; kx < 3; kx++) {
              // The 4 pixels' input rows for this tap (the zero row outside the image).
              let xx = x0 + kx - 1;
              const p0 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
              xx++;
              const p1 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
              xx++;
              const p2 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
              xx++;
              const p3 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
              let wp = w + <usize>(ky * 3 + kx) * tapStride + <usize>o * 4;
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
                wp += cStride;
              }
            }
          }
          // Pixels past the row's end were computed from zero rows and are not stored.
          let op = oi + (<usize>y * <usize>wd + <usize>x0) * <usize>cout * 4 + <usize>o * 4;
          const ps = <usize>cout * 4;
          v128.store(op, a00);
          v128.store(op, a01, 16);
          if (x0 + 1 < wd) {
            op += ps;
            v128.store(op, a10);
            v128.store(op, a11, 16);
          }
          if (x0 + 2 < wd) {
            op += ps;
            v128.store(op, a20);
            v128.store(op, a21, 16);
          }
          if (x0 + 3 < wd) {
            op += ps;
            v128.store(op, a30);
            v128.store(op, a31, 16);
          }
        }
      }
    }
  }
}

/** As conv3x3 for the 4 output channels from o0 (a count that is 4 more than a multiple of 8). */
export function conv3x3Last4(
  x: usize,
  w: usize,
  bias: usize,
  out: usize,
  zero: usize,
  n: i32,
  h: i32,
  wd: i32,
  cin: i32,
  cout: i32,
  o0: i32,
): void {
  const rowStride = <usize>wd * <usize>cin * 4;
  const imgStride = <usize>h * rowStride;
  const tapStride = <usize>cin * <usize>cout * 4;
  const cStride = <usize>cout * 4;
  for (let img = 0; img < n; img++) {
    const xi = x + <usize>img * imgStride;
    const oi = out + <usize>img * <usize>h * <usize>wd * <usize>cout * 4;
    for (let y = 0; y < h; y++) {
      for (let x0 = 0; x0 < wd; x0 += 4) {
        let a0 = v128.load(bias + <usize>o0 * 4);
        let a1 = a0,
          a2 = a0,
          a3 = a0;
        for (let ky = 0; ky < 3; ky++) {
          const yy = y + ky - 1;
          if (yy < 0 || yy >= h) continue;
          const row = xi + <usize>yy * rowStride;
          for (let kx = 0; kx < 3; kx++) {
            let xx = x0 + kx - 1;
            const p0 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
            xx++;
            const p1 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
            xx++;
            const p2 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
            xx++;
            const p3 = xx >= 0 && xx < wd ? row + <usize>xx * <usize>cin * 4 : zero;
            let wp = w + <usize>(ky * 3 + kx) * tapStride + <usize>o0 * 4;
            for (let c = 0; c < cin; c++) {
              const b = v128.load(wp);
              const off = <usize>c * 4;
              a0 = f32x4.add(f32x4.mul(v128.load32_splat(p0 + off), b), a0);
              a1 = f32x4.add(f32x4.mul(v128.load32_splat(p1 + off), b), a1);
              a2 = f32x4.add(f32x4.mul(v128.load32_splat(p2 + off), b), a2);
              a3 = f32x4.add(f32x4.mul(v128.load32_splat(p3 + off), b), a3);
              wp += cStride;
            }
          }
        }
        let op = oi + (<usize>y * <usize>wd + <usize>x0) * <usize>cout * 4 + <usize>o0 * 4;
        const ps = <usize>cout * 4;
        v128.store(op, a0);
        if (x0 + 1 < wd) v128.store((op += ps), a1);
        if (x0 + 2 < wd) v128.store((op += ps), a2);
        if (x0 + 3 < wd) v128.store((op += ps), a3);
      }
    }
  }
}
