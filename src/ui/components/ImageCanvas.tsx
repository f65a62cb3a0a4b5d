// Draws one NHWC image (batch 1) onto a canvas, scaled up with crisp pixels.
import { useEffect, useRef } from 'react';

export interface ImageCanvasProps {
  data: Float32Array | null;
  shape: readonly [number, number, number, number] | null;
  /** Values mapped to black and white: data images use [-1, 1]; noise is shown over [-3, 3]. */
  range: readonly [number, number];
  label: string;
  testId?: string;
  size?: number;
}

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

export function ImageCanvas({ data, shape, range, label, testId, size = 168 }: ImageCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !data || !shape) return;
    const [, h, w, c] = shape;
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(toRgba(data, h, w, c, range), w, h), 0, 0);
  }, [data, shape, range]);
  return (
    <figure className="image-figure">
      <canvas
        ref={ref}
        className="pixel-canvas"
        style={{ width: size, height: size }}
        role="img"
        aria-label={label}
        data-testid={testId}
        data-ready={data ? 'true' : 'false'}
      />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
