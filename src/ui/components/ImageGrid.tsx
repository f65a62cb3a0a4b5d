// A batch of NHWC images drawn as one grid on a canvas, with crisp scaled-up pixels.
import { useEffect, useRef } from 'react';
import { toRgba } from '../pixels';

export interface ImageGridProps {
  data: Float32Array | null;
  shape: readonly [number, number, number, number] | null;
  range: readonly [number, number];
  label: string;
  cols?: number;
  /** CSS pixels per image side. */
  cell?: number;
  testId?: string;
}

const PAD = 1;

export function ImageGrid({ data, shape, range, label, cols, cell = 56, testId }: ImageGridProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const n = shape?.[0] ?? 0;
  const c = Math.max(1, Math.min(n, cols ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.max(1, Math.ceil(n / c));
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    if (!data || !shape) {
      // Nothing to show at this step (e.g. no prediction before the first step): blank it.
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      return;
    }
    const [count, h, w, ch] = shape;
    canvas.width = c * (w + PAD) - PAD;
    canvas.height = rows * (h + PAD) - PAD;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#444';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const size = h * w * ch;
    for (let i = 0; i < count; i++) {
      const rgba = toRgba(data.subarray(i * size, (i + 1) * size), h, w, ch, range);
      ctx.putImageData(
        new ImageData(rgba, w, h),
        (i % c) * (w + PAD),
        Math.floor(i / c) * (h + PAD),
      );
    }
  }, [data, shape, range, c, rows]);
  const side = shape ? shape[1] : 1;
  return (
    <figure className="image-figure">
      <canvas
        ref={ref}
        className="pixel-canvas"
        style={{ width: c * cell, height: (rows * cell * (shape?.[1] ?? side)) / side }}
        role="img"
        aria-label={label}
        data-testid={testId}
        data-ready={data ? 'true' : 'false'}
      />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
