/** The places a test may have the agent die at (`STEVEDORE_TEST_CRASH_AT=<point>`). */
export type CrashPoint =
  | 'copying'
  | 'verifying'
  | 'switching'
  | 'switched'
  /** A container's exit is recorded and told, nothing it held is released yet. */
  | 'exit-recorded'
  /** create: the container's address is reserved, its layer not made yet. */
  | 'network-joined'
  /** create: the container's layer is made, its record not saved yet. */
  | 'layer-created'
  /** start: runc created the container under conmon (namespace, mount, rules made), not started. */
  | 'container-created'
  /** rm: the container's layer is removed, its record and address not yet. */
  | 'layer-removed'
  /** pull: a layer is extracted (and its blob stored), the image not recorded yet. */
  | 'layer-pulled'
  /** commit and import: the new layer is made (and its blob stored), the image not recorded yet. */
  | 'commit-layer-created'
  /** cp into a stopped container: its layer is mounted for the copy, nothing extracted yet. */
  | 'cp-mounted'
  /** log rotation: the rotated files are shifted, the current one not yet linked as `<log>.1`. */
  | 'log-shifted'
  /** log rotation: the current file is also `<log>.1`, conmon not yet asked to reopen. */
  | 'log-linked'
  /** log rotation: conmon was asked to reopen its log. */
  | 'log-reopen-asked';

/** Test hook: kills the agent at `point` when the environment asks for it, to prove crash safety. */
export function crashPoint(point: CrashPoint): void {
  if (process.env.STEVEDORE_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
