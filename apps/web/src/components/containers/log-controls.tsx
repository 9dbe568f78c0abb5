'use client';

import { useState } from 'react';
import { TAILS } from './log-first-page';
import { inputClass, smallButton } from './log-viewer-styles';

export type LogStreams = 'both' | 'stdout' | 'stderr';

/** The view's settings row: follow/pause, tail, streams, since/until, timestamps, download. */
export function LogControls({
  following,
  followingShown,
  onToggleFollow,
  tail,
  onTail,
  streams,
  onStreams,
  since,
  onSince,
  until,
  onUntil,
  showTime,
  onShowTime,
  downloadHref,
}: {
  following: boolean;
  /** "● following": the follow subscription is on and healthy. */
  followingShown: boolean;
  onToggleFollow: () => void;
  tail: number;
  onTail: (tail: number) => void;
  streams: LogStreams;
  onStreams: (streams: LogStreams) => void;
  since: string;
  onSince: (since: string) => void;
  until: string;
  onUntil: (until: string) => void;
  showTime: boolean;
  onShowTime: (show: boolean) => void;
  downloadHref: string;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={smallButton} data-testid="log-follow" onClick={onToggleFollow}>
        {following ? 'Pause' : 'Follow'}
      </button>
      <span className="text-xs text-slate-500" data-testid="log-follow-state">
        {followingShown ? '● following' : 'paused'}
      </span>
      <select
        aria-label="Lines from the end"
        className={inputClass}
        value={tail}
        onChange={(e) => onTail(Number(e.target.value))}
      >
        {TAILS.map((n) => (
          <option key={n} value={n}>
            last {n.toLocaleString()}
          </option>
        ))}
      </select>
      <select
        aria-label="Streams"
        className={inputClass}
        value={streams}
        onChange={(e) => onStreams(e.target.value as LogStreams)}
      >
        <option value="both">stdout + stderr</option>
        <option value="stdout">stdout</option>
        <option value="stderr">stderr</option>
      </select>
      <TimeInput label="Since" value={since} onCommit={onSince} />
      <TimeInput label="Until" value={until} onCommit={onUntil} />
      <label className="flex items-center gap-1 text-xs">
        <input type="checkbox" checked={showTime} onChange={(e) => onShowTime(e.target.checked)} /> Timestamps
      </label>
      <a href={downloadHref} download data-testid="log-download" className={smallButton}>
        Download
      </a>
    </div>
  );
}

function TimeInput({
  label,
  value,
  onCommit,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  return (
    <input
      aria-label={label}
      placeholder={`${label} (10m, RFC 3339)`}
      value={draft}
      // Wide enough for its hint; on a phone the two share a row instead of cutting it off.
      className={`${inputClass} min-w-40 flex-1 sm:w-48 sm:flex-none`}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => onCommit(draft)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onCommit(draft);
      }}
    />
  );
}
