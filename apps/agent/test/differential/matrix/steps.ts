/** The shapes of the matrix's cases and the helpers that write them. */
import type { StdoutMode } from '../compare.js';

export interface Step {
  args: string[];
  stdout?: StdoutMode;
  /** stderr compared too (default); off where one engine only warns (progress, hints). */
  stderr?: boolean;
}

export interface Case {
  id: string;
  steps: Step[];
  /** Run on both engines after the case, whatever happened; results not compared. */
  cleanup?: string[][];
}

export const step = (args: string[], stdout: StdoutMode = 'exact', stderr = true): Step => ({
  args,
  stdout,
  stderr,
});
export const run = ['run', '--network', 'none'];
export const keep = (name: string) => [...run, '-d', '--name', name, '{image}', 'sleep', '300'];
