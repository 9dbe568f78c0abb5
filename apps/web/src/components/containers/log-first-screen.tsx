import type { LogViewLine } from '@stevedore/shared';
import { LogLineView } from './log-line';
import { logBox } from './log-viewer-styles';

/** Lines of the server-rendered first screen (more than a tall window shows). */
export const FIRST_SCREEN_LINES = 80;

/**
 * The server-rendered last lines: a plain, bottom-anchored list over the virtualised view, shown
 * until that view, mounted and scrolled to the end, shows the same lines (never both at once).
 */
export function LogFirstScreen({
  lines,
  atStart,
  showTime,
}: {
  lines: readonly LogViewLine[];
  atStart: boolean;
  showTime: boolean;
}) {
  return (
    <div
      data-testid="log-first-screen"
      className={`${logBox} absolute inset-0 z-10 flex flex-col-reverse overflow-hidden`}
    >
      <div>
        {atStart && lines.length <= FIRST_SCREEN_LINES && (
          <div className="px-3 py-1 text-xs text-slate-400">— start of the log —</div>
        )}
        {lines.slice(-FIRST_SCREEN_LINES).map((line) => (
          <LogLineView
            key={`${line.cursor.ino}:${line.cursor.offset}`}
            line={line}
            showTime={showTime}
            current={false}
            ranges={[]}
          />
        ))}
      </div>
    </div>
  );
}
