'use client';

import 'uplot/dist/uPlot.min.css';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { TIME_TICK_SPACE, timeTickLabels } from './time-axis';
import type { ChartData } from './usage-series';

export interface ChartLine {
  label: string;
  color: string;
  dash?: number[];
  width?: number;
}

/** Follows the `.dark` class on <html> (set by the theme toggle). */
export function useDarkTheme(): boolean {
  const [dark, setDark] = useState(false);
  useEffect(() => {
    const root = document.documentElement;
    const update = () => setDark(root.classList.contains('dark'));
    update();
    const observer = new MutationObserver(update);
    observer.observe(root, { attributes: true, attributeFilter: ['class'] });
    return () => observer.disconnect();
  }, []);
  return dark;
}

const THEMES = {
  light: { axis: '#475569', grid: '#e2e8f0' },
  dark: { axis: '#94a3b8', grid: '#1e293b' },
};

/**
 * One uPlot time chart that fills its box's width. The plot is built again only when its lines,
 * format or the theme change; new data is handed to the existing plot.
 */
export function UsageChart({
  title,
  summary,
  testId,
  data,
  lines,
  format,
  incrs,
  dark,
  height = 180,
}: {
  title: string;
  summary: ReactNode;
  testId: string;
  data: ChartData;
  /** Must keep its identity between renders (a constant or memoised). */
  lines: readonly ChartLine[];
  format: (value: number) => string;
  /** The y axis's tick steps to choose from (e.g. powers of two for bytes); uPlot's decimal ones by default. */
  incrs?: readonly number[];
  dark: boolean;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latestData = useRef(data);
  latestData.current = data;

  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      const element = box.current;
      if (disposed || !element) return;
      const theme = dark ? THEMES.dark : THEMES.light;
      const axis: uPlot.Axis = {
        stroke: theme.axis,
        grid: { stroke: theme.grid, width: 1 },
        ticks: { stroke: theme.grid, width: 1 },
      };
      const options: uPlot.Options = {
        width: element.clientWidth,
        height,
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          {
            ...axis,
            // One-line labels, ticks far enough apart that two never touch, on any width.
            space: TIME_TICK_SPACE,
            size: 32,
            values: (_u, splits, _axis, _space, step) => timeTickLabels(splits, step),
          },
          {
            ...axis,
            size: 72,
            values: (_u, splits) => splits.map(format),
            ...(incrs ? { incrs: [...incrs] } : {}),
          },
        ],
        series: [
          {},
          ...lines.map(
            (line): uPlot.Series => ({
              label: line.label,
              stroke: line.color,
              width: line.width ?? 1.5,
              ...(line.dash ? { dash: line.dash } : {}),
              spanGaps: false,
              points: { show: false },
              value: (_u, value) => (value === null || value === undefined ? '—' : format(value)),
            }),
          ),
        ],
        cursor: { drag: { x: false, y: false } },
      };
      plot.current = new UPlot(options, latestData.current as uPlot.AlignedData, element);
      resize = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height }));
      resize.observe(element);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [dark, lines, format, incrs, height]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <section
      data-testid={testId}
      data-points={data[0].length}
      className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-800"
    >
      <header className="mb-2 flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h3 className="text-sm font-semibold">{title}</h3>
        <div className="font-mono text-xs tabular-nums text-slate-600 dark:text-slate-300">{summary}</div>
      </header>
      {/* uPlot's legend in the page's small type (important: uPlot's own CSS is outside Tailwind's layers) — its bold 14 px wrapped to three lines on a phone. */}
      <div
        ref={box}
        className="w-full text-slate-700 dark:text-slate-300 [&_.u-legend]:text-xs! [&_.u-legend_th]:font-medium!"
        style={{ minHeight: height }}
      />
    </section>
  );
}
