/**
 * The usage charts' time axis: one-line labels whose width is known, so that with ticks at least
 * TIME_TICK_SPACE pixels apart two labels never touch (uPlot's own labels add a second line with
 * the date and run into each other on narrow charts: "3:47pm3:48pm").
 */

/** Least pixels between two time ticks: the widest label ("23:59:59", about 55 px in 12 px type) and a gap. */
export const TIME_TICK_SPACE = 80;

const DAY = 86_400;

/** The formats a tick step is labelled with: seconds only when ticks are less than a minute apart. */
function formats(timeZone: string | undefined) {
  return {
    seconds: new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone,
    }),
    minutes: new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    }),
    day: new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone }),
  };
}

const cache = new Map<string, ReturnType<typeof formats>>();
const formatsFor = (timeZone: string | undefined) => {
  const key = timeZone ?? '';
  let found = cache.get(key);
  if (!found) {
    found = formats(timeZone);
    cache.set(key, found);
  }
  return found;
};

/**
 * Labels for ticks at `splits` (unix seconds) `step` seconds apart: `15:47:30` below a minute,
 * `15:47` below a day — with the date (`Dec 5`) instead on the tick where a new day starts —,
 * and `Dec 5` for steps of a day or more.
 */
export function timeTickLabels(splits: readonly number[], step: number, timeZone?: string): string[] {
  const f = formatsFor(timeZone);
  let previousDay: string | null = null;
  return splits.map((seconds) => {
    const at = new Date(seconds * 1000);
    const day = f.day.format(at);
    const newDay = previousDay !== null && day !== previousDay;
    previousDay = day;
    if (step >= DAY) return day;
    if (newDay) return day;
    return (step < 60 ? f.seconds : f.minutes).format(at);
  });
}
