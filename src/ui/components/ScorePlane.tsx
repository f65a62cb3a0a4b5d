// The 2-D plane of the "Score & SDE" view: the noised density as a heat map, the score as arrows,
// the particles and a few particle paths. A canvas sized by CSS (it scales with the viewport) and
// drawn at the device's pixel ratio, so it stays crisp on a projector.
import { useEffect, useRef } from 'react';
import type { Score2dField } from '../../worker/api';

export interface ScorePlaneProps {
  extent: number;
  field: Pick<Score2dField, 'logDensity' | 'score'> | null;
  /** The heat map shows the top `heatRange` units of `logDensity` (default 12 nats). */
  heatRange?: number;
  /** The plane's test id (default score-plane). */
  testId?: string;
  showArrows: boolean;
  /** Particles now, interleaved. */
  particles: Float32Array | null;
  /** Paths of a few particles: one array of [x, y, x, y, …] per particle (default none). */
  paths?: Float32Array[];
  /** Hand-drawn data points, shown as crosses (default none). */
  points?: [number, number][];
  /** Called with data coordinates when the plane is clicked (drawing mode). */
  onPick?: (x: number, y: number) => void;
  /** Hears how long a draw took, in ms. */
  onDrawn?: (ms: number) => void;
  label: string;
}

/** A perceptual ramp (dark blue → yellow), so density reads the same in both themes. */
function ramp(u: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [13, 8, 135],
    [126, 3, 168],
    [204, 71, 120],
    [248, 149, 64],
    [240, 249, 33],
  ];
  const v = Math.min(1, Math.max(0, u)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(v));
  const f = v - i;
  return [0, 1, 2].map((k) => stops[i][k] + f * (stops[i + 1][k] - stops[i][k])) as [
    number,
    number,
    number,
  ];
}

// Shared empty defaults: a fresh [] per render would redraw the plane on every render.
const NO_PATHS: Float32Array[] = [];
const NO_POINTS: [number, number][] = [];

export function ScorePlane(props: ScorePlaneProps) {
  const { extent, field, showArrows, particles, onPick, onDrawn, label } = props;
  const paths = props.paths ?? NO_PATHS;
  const points = props.points ?? NO_POINTS;
  const heatRange = props.heatRange ?? 12;
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const css = c.getBoundingClientRect().width || 480;
    const size = Math.round(css * dpr);
    if (c.width !== size) {
      c.width = size;
      c.height = size;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const toPx = (x: number) => ((x + extent) / (2 * extent)) * size;
    const toPy = (y: number) => ((extent - y) / (2 * extent)) * size;
    ctx.fillStyle = '#0d0887';
    ctx.fillRect(0, 0, size, size);
    if (field) {
      // Heat map of log p, the top 12 nats of its range (so tails are visible but not dominant).
      const g = Math.round(Math.sqrt(field.logDensity.length));
      let max = -Infinity;
      for (const v of field.logDensity) max = Math.max(max, v);
      const img = new ImageData(g, g);
      for (let i = 0; i < g * g; i++) {
        const [r, gg, b] = ramp((field.logDensity[i] - (max - heatRange)) / heatRange);
        img.data[4 * i] = r;
        img.data[4 * i + 1] = gg;
        img.data[4 * i + 2] = b;
        img.data[4 * i + 3] = 255;
      }
      const off = new OffscreenCanvas(g, g);
      off.getContext('2d')!.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, size, size);
      if (showArrows) {
        // Arrow length grows with |score| but saturates at 0.9 cells: direction is the message,
        // the magnitude is in the caption's formula.
        const a = Math.round(Math.sqrt(field.score.length / 2));
        const cell = size / a;
        ctx.strokeStyle = 'rgba(255,255,255,0.85)';
        ctx.lineWidth = Math.max(1, dpr);
        for (let r = 0; r < a; r++) {
          for (let col = 0; col < a; col++) {
            const k = r * a + col;
            const sx = field.score[2 * k];
            const sy = field.score[2 * k + 1];
            const norm = Math.hypot(sx, sy);
            if (!(norm > 0)) continue;
            const len = 0.9 * cell * Math.tanh(norm * (extent / 8));
            const cx = (col + 0.5) * cell;
            const cy = (r + 0.5) * cell;
            const dx = (sx / norm) * len;
            const dy = (-sy / norm) * len;
            ctx.beginPath();
            ctx.moveTo(cx, cy);
            ctx.lineTo(cx + dx, cy + dy);
            const hx = cx + dx;
            const hy = cy + dy;
            const ang = Math.atan2(dy, dx);
            const h = Math.min(0.3 * cell, 0.4 * len);
            ctx.lineTo(hx - h * Math.cos(ang - 0.5), hy - h * Math.sin(ang - 0.5));
            ctx.moveTo(hx, hy);
            ctx.lineTo(hx - h * Math.cos(ang + 0.5), hy - h * Math.sin(ang + 0.5));
            ctx.stroke();
          }
        }
      }
    }
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.lineWidth = 1.5 * dpr;
    for (const [x, y] of points) {
      const px = toPx(x);
      const py = toPy(y);
      ctx.beginPath();
      ctx.moveTo(px - 4 * dpr, py - 4 * dpr);
      ctx.lineTo(px + 4 * dpr, py + 4 * dpr);
      ctx.moveTo(px + 4 * dpr, py - 4 * dpr);
      ctx.lineTo(px - 4 * dpr, py + 4 * dpr);
      ctx.stroke();
    }
    if (particles) {
      ctx.fillStyle = 'rgba(255,255,255,0.8)';
      const r = 1.4 * dpr;
      for (let i = 0; i < particles.length; i += 2) {
        ctx.fillRect(toPx(particles[i]) - r, toPy(particles[i + 1]) - r, 2 * r, 2 * r);
      }
    }
    ctx.lineWidth = 1.5 * dpr;
    paths.forEach((p, k) => {
      ctx.strokeStyle = `hsl(${(k * 360) / Math.max(1, paths.length)}, 90%, 60%)`;
      ctx.beginPath();
      for (let i = 0; i < p.length; i += 2) {
        const px = toPx(p[i]);
        const py = toPy(p[i + 1]);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
    });
    onDrawn?.(performance.now() - t0);
  }, [extent, field, showArrows, particles, paths, points, onDrawn, heatRange]);

  return (
    <canvas
      ref={canvas}
      className="score-plane"
      role="img"
      aria-label={label}
      data-testid={props.testId ?? 'score-plane'}
      onClick={(e) => {
        if (!onPick) return;
        const rect = e.currentTarget.getBoundingClientRect();
        const u = (e.clientX - rect.left) / rect.width;
        const v = (e.clientY - rect.top) / rect.height;
        onPick(-extent + 2 * extent * u, extent - 2 * extent * v);
      }}
    />
  );
}
