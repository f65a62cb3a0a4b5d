// Model-space pixel values to 8-bit RGBA: pure, shared by the canvases and the exporters.

/** Maps model-space values to 8-bit RGBA (grey images are replicated over RGB). */
export function toRgba(
  data: Float32Array,
  height: number,
  width: number,
  channels: number,
  range: readonly [number, number],
): Uint8ClampedArray<ArrayBuffer> {
  const [lo, hi] = range;
  const scale = 255 / (hi - lo);
  const out = new Uint8ClampedArray(new ArrayBuffer(height * width * 4));
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) {
      const v = data[p * channels + (channels === 1 ? 0 : c)];
      out[p * 4 + c] = (v - lo) * scale;
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}
