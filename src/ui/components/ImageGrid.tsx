// A batch of NHWC images drawn as one grid on a canvas, with crisp scaled-up pixels. Its size is
// in CSS units (rem by default, so it grows with the viewport and classroom mode's larger type;
// or any CSS width the layout picks, e.g. a share of the viewport), nearest-neighbour scaled.
import { useEffect, useRef } from 'react';
import { toRgba } from '../pixels';

export interface ImageGridProps {
  data: Float32Array | null;
  shape: readonly [number, number, number, number] | null;
  range: readonly [number, number];
  label: string;
  cols?: number;
  /** Width of one image at the base type size (16 px), in CSS pixels; scales with rem. */
  cell?: number;
  /** A CSS width for the whole grid (overrides `cell`), e.g. 'var(--sample-grid)'. */
  width?: string;
  /** Shown in place of the pixels while there is nothing to draw (not a black square). */
  placeholder?: string;
  testId?: string;
}

const PAD = 1;
const BASE_FONT_PX = 16;

export function ImageGrid(props: ImageGridProps) {
  const { data, shape, range, label, cols, cell = 56, width, placeholder, testId } = props;
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
  const h = shape?.[1] ?? 1;
  const w = shape?.[2] ?? 1;
  const ready = Boolean(data && shape);
  const cssWidth = width ?? `${(c * cell) / BASE_FONT_PX}rem`;
  return (
    <figure className="image-figure" style={{ width: cssWidth }}>
      <div className="pixel-frame">
        <canvas
          ref={ref}
          className="pixel-canvas"
          // The aspect ratio of the grid, so the height follows the width before any pixels arrive.
          style={{ width: '100%', aspectRatio: `${c * w} / ${rows * h}` }}
          role="img"
          aria-label={label}
          data-testid={testId}
          data-ready={ready ? 'true' : 'false'}
        />
        {!ready && placeholder && (
          <span className="pixel-placeholder" aria-hidden="true">
            {placeholder}
          </span>
        )}
      </div>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
