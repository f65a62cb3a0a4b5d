// A chart for data that changes several times a second (the training curves). It draws on a
// canvas with uPlot: updating it costs a few ms, where a recharts re-render measured 50–80 ms on
// a 2-core machine under training load (long tasks that make the page stutter). Static plots
// elsewhere use recharts.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decadeDomain, decadeTicks, formatDecade } from '../logTicks';

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
  /** A log y axis spanning whole decades, ticks at powers of ten (losses fall by decades). */
  logY?: boolean;
  /** Names the y axis (what the number is). */
  yLabel?: string;
}

function toData(x: ArrayLike<number>, ys: ArrayLike<number | null>[]): uPlot.AlignedData {
  return [Array.from(x), ...ys.map((y) => Array.from(y))] as uPlot.AlignedData;
}

export function LiveChart(props: LiveChartProps) {
  const { x, ys, series, xLabel, height = 220, yRange, logY = false, yLabel } = props;
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
      // One series needs no legend (the caption names it); several get one, with values on hover.
      legend: { show: series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false },
        y: logY
          ? {
              distr: 3,
              log: 10,
              range: (u) =>
                decadeDomain(
                  u.data.slice(1).flatMap((ys) => Array.from(ys as ArrayLike<number | null>)),
                ) ?? [0.01, 1],
            }
          : { range: (_u, min, max) => yRange ?? [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
      },
      axes: [
        { stroke: text, grid, label: xLabel },
        {
          stroke: text,
          grid,
          // Wide enough for labels like 10⁻³ or 0.0123 at classroom sizes: never cut off.
          size: 64,
          label: yLabel,
          ...(logY
            ? {
                splits: (u: uPlot) => {
                  const { min, max } = u.scales.y;
                  return min !== undefined && max !== undefined ? decadeTicks([min, max]) : [];
                },
                values: (_u: uPlot, ticks: number[]) => ticks.map(formatDecade),
              }
            : {}),
        },
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
  }, [series, xLabel, height, yRange, logY, yLabel]);

  useEffect(() => {
    plot.current?.setData(toData(x, ys));
  }, [x, ys, series]);

  return <div ref={box} className="live-chart" />;
}
