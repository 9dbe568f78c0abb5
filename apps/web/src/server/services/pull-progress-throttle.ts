/** Updates a browser needs to move a bar smoothly: ~8 a second per layer (the issue asks for ≥ 4). */
export const PULL_PROGRESS_INTERVAL_MS = 125;

/** A progress line of one layer or blob: pull and push progress both have this shape. */
interface Progress {
  id: string;
  status: string;
}

interface LayerState<T extends Progress> {
  lastStatus: string | null;
  lastSentAt: number;
  pending: T | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Thins a pull's progress per layer: a new status (Downloading → Extracting → Pull complete) goes
 * out at once, byte counts at most once per `intervalMs`, and the newest held-back count goes out
 * when its interval is up, so a bar never stops short of where the layer is.
 */
export class PullProgressThrottle<T extends Progress> {
  private readonly layers = new Map<string, LayerState<T>>();
  private closed = false;

  constructor(
    private readonly emit: (progress: T) => void,
    private readonly intervalMs = PULL_PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  accept(progress: T): void {
    if (this.closed) return;
    const layer: LayerState<T> = this.layers.get(progress.id) ?? {
      lastStatus: null,
      lastSentAt: Number.NEGATIVE_INFINITY,
      pending: null,
      timer: null,
    };
    this.layers.set(progress.id, layer);
    const at = this.now();
    if (progress.status !== layer.lastStatus || at - layer.lastSentAt >= this.intervalMs) {
      // A newer update replaces what was held back for this layer.
      this.clearPending(layer);
      this.send(layer, progress, at);
      return;
    }
    layer.pending = progress;
    layer.timer ??= setTimeout(
      () => {
        layer.timer = null;
        const held = layer.pending;
        layer.pending = null;
        if (held && !this.closed) this.send(layer, held, this.now());
      },
      Math.max(0, layer.lastSentAt + this.intervalMs - at),
    );
  }

  /** Sends every held-back update now (before the pull's result, so the bars end where they are). */
  flush(): void {
    for (const layer of this.layers.values()) {
      const held = layer.pending;
      this.clearPending(layer);
      if (held && !this.closed) this.send(layer, held, this.now());
    }
  }

  close(): void {
    this.closed = true;
    for (const layer of this.layers.values()) this.clearPending(layer);
  }

  private send(layer: LayerState<T>, progress: T, at: number): void {
    layer.lastStatus = progress.status;
    layer.lastSentAt = at;
    this.emit(progress);
  }

  private clearPending(layer: LayerState<T>): void {
    if (layer.timer) clearTimeout(layer.timer);
    layer.timer = null;
    layer.pending = null;
  }
}
