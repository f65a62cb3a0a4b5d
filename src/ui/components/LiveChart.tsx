// A chart for data that changes several times a second (the training curves). It draws on a
// canvas with uPlot: updating it costs a few ms, where a recharts re-render measured 50–80 ms on
// a 2-core machine under training load (long tasks that make the page stutter). Static plots
// elsewhere use recharts.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LiveSeries {
  label: string;
  color: string;
  width?: number;
  /** Draw as bars instead of a line. */
  bars?: boolean;
}

export interface LiveChartProps {
  x: ArrayLike<number>;
  ys: ArrayLike<number | null>[];
  series: LiveSeries[];
  xLabel: string;
  height?: number;
  /** Fixed y range; default: from the data, starting at 0. */
  yRange?: [number, number];
}

function toData(x: ArrayLike<number>, ys: ArrayLike<number | null>[]): uPlot.AlignedData {
  return [Array.from(x), ...ys.map((y) => Array.from(y))] as uPlot.AlignedData;
}

export function LiveChart({ x, ys, series, xLabel, height = 220, yRange }: LiveChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // Build once per series layout; data updates below only call setData.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = getComputedStyle(el).color;
    const grid = { stroke: 'rgba(128,128,128,0.25)', width: 1 };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false },
        y: { range: (_u, min, max) => yRange ?? [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
      },
      axes: [
        { stroke: text, grid, label: xLabel },
        { stroke: text, grid, size: 56 },
      ],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.5,
          fill: s.bars ? s.color : undefined,
          paths: s.bars ? uPlot.paths.bars?.({ size: [0.7, 60] }) : undefined,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toFixed(4)),
        })),
      ],
    };
    plot.current = new uPlot(opts, [[]], el);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [series, xLabel, height, yRange]);

  useEffect(() => {
    plot.current?.setData(toData(x, ys));
  }, [x, ys, series]);

  return <div ref={box} className="live-chart" />;
}
