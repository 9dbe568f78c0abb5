// A user namespace's id mapping: the runtime resolves it (runtime/userns), storage shifts and
// unshifts file ownership by it.

export interface IdRange {
  /** The first host id that container id 0 maps to. */
  start: number;
  size: number;
}

/** A user namespace's mapping: container ids 0..size-1 → host ids start..start+size-1. */
export interface IdMap {
  uid: IdRange;
  gid: IdRange;
}
