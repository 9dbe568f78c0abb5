import { type LogViewLine, stripAnsi } from '@stevedore/shared';
import Anser from 'anser';
import { memo, type ReactNode } from 'react';

interface Segment {
  text: string;
  style: React.CSSProperties;
}

/** The line's text as styled segments (ANSI colours parsed by anser; text is never HTML). */
function segmentsOf(text: string): Segment[] {
  if (!text.includes('\u001b')) return [{ text, style: {} }];
  return Anser.ansiToJson(text, { json: true, remove_empty: true }).map((entry) => {
    const style: React.CSSProperties = {};
    if (entry.fg) style.color = `rgb(${entry.fg})`;
    if (entry.bg) style.backgroundColor = `rgb(${entry.bg})`;
    if (entry.decoration === 'bold') style.fontWeight = 600;
    if (entry.decoration === 'italic') style.fontStyle = 'italic';
    if (entry.decoration === 'underline') style.textDecoration = 'underline';
    if (entry.decoration === 'dim') style.opacity = 0.7;
    return { text: entry.content, style };
  });
}

/** Splits styled segments at the highlight ranges (offsets in the shown text) and marks them. */
function withHighlights(segments: Segment[], ranges: Array<[number, number]>, current: boolean): ReactNode[] {
  const out: ReactNode[] = [];
  let offset = 0;
  let key = 0;
  for (const segment of segments) {
    const end = offset + segment.text.length;
    let at = offset;
    for (const [from, to] of ranges) {
      if (to <= at || from >= end) continue;
      const start = Math.max(from, at);
      if (start > at)
        out.push(
          <span key={key++} style={segment.style}>
            {segment.text.slice(at - offset, start - offset)}
          </span>,
        );
      const stop = Math.min(to, end);
      out.push(
        <mark
          key={key++}
          data-testid="log-match"
          style={segment.style}
          className={
            current
              ? 'rounded-sm bg-amber-400 text-slate-950 dark:bg-amber-400'
              : 'rounded-sm bg-yellow-200 text-slate-950 dark:bg-yellow-600/70 dark:text-white'
          }
        >
          {segment.text.slice(start - offset, stop - offset)}
        </mark>,
      );
      at = stop;
    }
    if (at < end)
      out.push(
        <span key={key++} style={segment.style}>
          {segment.text.slice(at - offset)}
        </span>,
      );
    offset = end;
  }
  return out;
}

export const LogLineView = memo(function LogLineView({
  line,
  showTime,
  ranges,
  current,
}: {
  line: LogViewLine;
  showTime: boolean;
  ranges: Array<[number, number]>;
  current: boolean;
}) {
  const segments = segmentsOf(line.text);
  const shownLength = stripAnsi(line.text).length;
  const stderr = line.stream === 'stderr';
  return (
    <div
      data-testid="log-line"
      data-stream={line.stream}
      data-current={current || undefined}
      title={stderr ? 'stderr' : undefined}
      className={`flex h-5 min-w-max items-center gap-2 border-l-2 pr-3 pl-2 font-mono text-xs leading-5 whitespace-pre ${
        stderr
          ? 'border-red-500 bg-red-50/60 text-red-900 dark:bg-red-950/30 dark:text-red-200'
          : 'border-transparent text-slate-800 dark:text-slate-200'
      } ${current ? 'bg-amber-100 dark:bg-amber-900/40' : ''}`}
    >
      {showTime && (
        <span className="shrink-0 text-slate-400 select-none dark:text-slate-500" title={line.time}>
          {line.time.slice(0, 23).replace('T', ' ')}
        </span>
      )}
      <span>
        {ranges.length > 0 && shownLength > 0
          ? withHighlights(segments, ranges, current)
          : segments.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments of one line never reorder
              <span key={i} style={s.style}>
                {s.text}
              </span>
            ))}
        {line.partial && <span className="text-slate-400"> ⏎̸</span>}
      </span>
    </div>
  );
});
