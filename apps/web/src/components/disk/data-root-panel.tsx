import { bytesSize, type DataRootInfo } from '@stevedore/shared';
import { Card, mutedText } from './card';

/** Where the data lives: the data-root, its filesystem and how full it is. */
export function DataRootPanel({ info }: { info: DataRootInfo }) {
  const percent = info.totalBytes > 0 ? (info.usedBytes / info.totalBytes) * 100 : 0;
  const tone = percent >= 90 ? 'bg-red-500' : percent >= 75 ? 'bg-amber-500' : 'bg-sky-500';
  const rows: [string, string][] = [
    ['Filesystem', info.filesystem.type],
    ['Device', info.filesystem.device],
    ['Mount point', info.filesystem.mountPoint],
  ];
  return (
    <Card title="Data-root" testId="data-root">
      <p data-testid="data-root-path" className="break-all font-mono text-sm">
        {info.path}
      </p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd className="break-all font-mono">{value}</dd>
          </div>
        ))}
      </dl>
      <div>
        <div className="h-2.5 w-full rounded-full bg-slate-200 dark:bg-slate-800" aria-hidden>
          <div className={`h-2.5 rounded-full ${tone}`} style={{ width: `${Math.min(100, percent)}%` }} />
        </div>
        <p data-testid="data-root-space" className={`mt-1 tabular-nums ${mutedText}`}>
          {bytesSize(info.usedBytes)} used of {bytesSize(info.totalBytes)} · {bytesSize(info.freeBytes)} free
          ({percent.toFixed(0)} % used)
        </p>
      </div>
    </Card>
  );
}
