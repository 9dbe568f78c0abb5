export type ImportGraph = Record<string, string[]>;
export interface FloorViolation {
  from: string;
  to: string;
}
export const AGENT_FLOORS: string[];
export const AGENT_UPPER_LAYERS: string[];
export function findFloorViolations(
  graph: ImportGraph,
  floors?: string[],
  upper?: string[],
): FloorViolation[];
export function formatProblems(problems: {
  root: string;
  cycles: string[][];
  violations: FloorViolation[];
}): string[];
