/** The places a test may have the agent die at (`STEVEDORE_TEST_CRASH_AT=<point>`). */
export type CrashPoint =
  | 'copying'
  | 'verifying'
  | 'switching'
  | 'switched'
  /** A container's exit is recorded and told, nothing it held is released yet. */
  | 'exit-recorded';

/** Test hook: kills the agent at `point` when the environment asks for it, to prove crash safety. */
export function crashPoint(point: CrashPoint): void {
  if (process.env.STEVEDORE_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
