/**
 * Whether a followed host needs a ping: `alive` when it was heard from within the interval,
 * `wait` while a ping is on its way, `ping` when it has been silent for a whole interval.
 */
export function livenessDecision(input: {
  nowMs: number;
  lastHeardMs: number;
  pingIntervalMs: number;
  pinging: boolean;
}): 'alive' | 'wait' | 'ping' {
  if (input.nowMs - input.lastHeardMs < input.pingIntervalMs) return 'alive';
  return input.pinging ? 'wait' : 'ping';
}

/**
 * What an open connection needs now: a heartbeat when it has been quiet for `heartbeatMs`, a drop
 * when its last heartbeat (sent at `heartbeatAtMs`, 0 for none) has gone unanswered as long, else
 * nothing. Anything heard after a heartbeat answers it.
 */
export function heartbeatDecision(input: {
  nowMs: number;
  lastHeardMs: number;
  heartbeatAtMs: number;
  heartbeatMs: number;
}): 'send' | 'drop' | 'none' {
  if (input.heartbeatAtMs > input.lastHeardMs)
    return input.nowMs - input.heartbeatAtMs < input.heartbeatMs ? 'none' : 'drop';
  return input.nowMs - input.lastHeardMs >= input.heartbeatMs ? 'send' : 'none';
}

/** The promise's outcome, or a rejection once `ms` have passed without one. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
