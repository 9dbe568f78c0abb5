import type { PullProgress } from '@stevedore/shared';

/** Where a layer is, in the words the dialog shows. */
export type LayerPhase = 'waiting' | 'downloading' | 'extracting' | 'done' | 'exists';

export interface LayerView {
  id: string;
  phase: LayerPhase;
  /** Bytes downloaded and the layer's compressed size, once the agent told them. */
  current: number;
  total: number | null;
  /** Bytes a second over the last updates (null until two byte counts came). */
  rate: number | null;
  /** Every phase the layer passed through, in order (the tests read it). */
  phases: LayerPhase[];
  lastBytesAt: number | null;
}

export interface PullView {
  layers: LayerView[];
  /** Progress updates received, for the dialog's live region and the benchmark. */
  updates: number;
}

export const EMPTY_PULL: PullView = { layers: [], updates: 0 };

const PHASE_OF: Record<PullProgress['status'], LayerPhase> = {
  'Pulling fs layer': 'waiting',
  Downloading: 'downloading',
  // Downloading and unpacking run together; the download is "complete" once the layer is unpacked.
  'Download complete': 'extracting',
  Extracting: 'extracting',
  'Pull complete': 'done',
  'Already exists': 'exists',
};

/** How much of a rate sample comes from the newest update (the rest from the earlier rate). */
const RATE_WEIGHT = 0.4;

/** One progress update (at `at`, milliseconds) applied to the pull's view; a new object each time. */
export function applyProgress(view: PullView, progress: PullProgress, at: number): PullView {
  const index = view.layers.findIndex((layer) => layer.id === progress.id);
  const old: LayerView = view.layers[index] ?? {
    id: progress.id,
    phase: 'waiting',
    current: 0,
    total: null,
    rate: null,
    phases: [],
    lastBytesAt: null,
  };
  const phase = PHASE_OF[progress.status];
  const layer: LayerView = {
    ...old,
    phase,
    phases: old.phases.at(-1) === phase ? old.phases : [...old.phases, phase],
  };
  if (progress.total !== undefined) layer.total = progress.total;
  if (progress.current !== undefined && progress.status === 'Downloading') {
    if (old.lastBytesAt !== null && at > old.lastBytesAt) {
      const sample = ((progress.current - old.current) * 1000) / (at - old.lastBytesAt);
      layer.rate = old.rate === null ? sample : old.rate * (1 - RATE_WEIGHT) + sample * RATE_WEIGHT;
    }
    layer.current = progress.current;
    layer.lastBytesAt = at;
  }
  if ((phase === 'extracting' || phase === 'done') && layer.total !== null) layer.current = layer.total;
  if (phase !== 'downloading') layer.rate = null;
  const layers = [...view.layers];
  if (index === -1) layers.push(layer);
  else layers[index] = layer;
  return { layers, updates: view.updates + 1 };
}

/** The whole pull as one fraction of bytes (0–1), counting finished layers whole; null while unknown. */
export function overallFraction(view: PullView): number | null {
  const sized = view.layers.filter((layer) => layer.total !== null && layer.phase !== 'exists');
  const pending = view.layers.filter((layer) => layer.total === null && layer.phase === 'waiting');
  if (sized.length === 0) return view.layers.length > 0 && pending.length === 0 ? 1 : null;
  const total = sized.reduce((sum, layer) => sum + (layer.total ?? 0), 0);
  const current = sized.reduce((sum, layer) => sum + Math.min(layer.current, layer.total ?? 0), 0);
  return total === 0 ? 1 : current / total;
}

export function layersDone(view: PullView): number {
  return view.layers.filter((layer) => layer.phase === 'done' || layer.phase === 'exists').length;
}
