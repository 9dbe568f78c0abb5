export type ImportGraph = Record<string, string[]>;
export interface LayerViolation {
  from: string;
  to: string;
}
export const AGENT_LAYERS: string[][];
export function findLayerViolations(graph: ImportGraph, layers?: string[][]): LayerViolation[];
export function formatProblems(problems: {
  root: string;
  cycles: string[][];
  violations: LayerViolation[];
}): string[];
