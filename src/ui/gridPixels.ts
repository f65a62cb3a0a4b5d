// Lays a batch of NHWC images out as one RGBA grid (pure, no DOM), for PNG and GIF export.
import { toRgba } from './pixels';

export interface GridPixels {
  rgba: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

export function gridPixels(
  data: Float32Array,
  shape: readonly [number, number, number, number],
  range: readonly [number, number],
  cols = Math.ceil(Math.sqrt(shape[0])),
  pad = 1,
  scale = 1,
): GridPixels {
  const [n, h, w, c] = shape;
  const rows = Math.ceil(n / cols);
  const cw = w * scale;
  const ch = h * scale;
  const width = cols * (cw + pad) - pad;
  const height = rows * (ch + pad) - pad;
  const rgba = new Uint8ClampedArray(new ArrayBuffer(width * height * 4));
  // Grey padding between images.
  for (let i = 0; i < rgba.length; i += 4) rgba.set([68, 68, 68, 255], i);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const img = toRgba(data.subarray(i * size, (i + 1) * size), h, w, c, range);
    const ox = (i % cols) * (cw + pad);
    const oy = Math.floor(i / cols) * (ch + pad);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const src = (Math.floor(y / scale) * w + Math.floor(x / scale)) * 4;
        rgba.set(img.subarray(src, src + 4), ((oy + y) * width + ox + x) * 4);
      }
    }
  }
  return { rgba, width, height };
}
