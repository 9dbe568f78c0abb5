import { z } from 'zod';

const SIGNAL_NAMES = [
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'PWR',
  'SYS',
] as const;

/** Signal numbers by name, Linux x86-64/arm64 numbering. */
export const SIGNALS: Readonly<Record<string, number>> = Object.fromEntries(
  SIGNAL_NAMES.map((name, index) => [name, index + 1]),
);

/** `TERM`, `SIGTERM`, `sigterm`, `15` or `RTMIN+3` → the canonical `SIGTERM` / number form. */
export function normalizeSignal(text: string): { name: string; number: number } {
  const upper = text.trim().toUpperCase();
  const numeric = /^\d+$/.test(upper) ? Number(upper) : null;
  if (numeric !== null) {
    if (numeric >= 1 && numeric <= 64) {
      const name = SIGNAL_NAMES[numeric - 1];
      return { name: name ? `SIG${name}` : String(numeric), number: numeric };
    }
  } else {
    const bare = upper.replace(/^SIG/, '');
    const number = SIGNALS[bare];
    if (number) return { name: `SIG${bare}`, number };
    const rt = /^RTMIN(?:\+(\d+))?$/.exec(bare);
    if (rt && Number(rt[1] ?? 0) <= 30) return { name: `SIG${bare}`, number: 34 + Number(rt[1] ?? 0) };
  }
  throw new RangeError(
    `invalid signal "${text}": use a name such as SIGTERM, TERM or KILL, or a number 1-64`,
  );
}

/** A signal name or number that normalizeSignal() takes. */
export const SignalSchema = z
  .string()
  .max(32)
  .superRefine((value, ctx) => {
    try {
      normalizeSignal(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
