export interface LoginLimits {
  /** Attempts one username may have checked per window, from anywhere. */
  perUsername: number;
  /** Attempts one client address may have checked per window, for any usernames. */
  perAddress: number;
  windowMs: number;
  /** Keys tracked at most; the least recently used are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUsername: 10,
  perAddress: 20,
  windowMs: 15 * 60 * 1000,
  maxKeys: 10_000,
};

/**
 * The limiter's key for a client address: IPv4 as it is (also when IPv4-mapped), IPv6 by its /64
 * prefix, since one client usually holds a whole /64 and could otherwise use a fresh address per guess.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** One attempt admitted by `admit`: hand it back to `refund` when the password was right. */
export interface AdmittedAttempt {
  readonly keys: readonly string[];
  readonly at: number;
}

/**
 * Counts login attempts per username and per client address in a sliding window. An attempt is
 * counted when it is admitted, before its password is checked, and admission is synchronous: requests
 * running in parallel (or in one tRPC batch) cannot all pass the check before any of them is counted.
 * A successful login gets its attempt back, so only wrong guesses use up the allowance.
 */
export class LoginLimiter {
  /** Map order is recency of use: the first key is the least recently used one. */
  private readonly attempts = new Map<string, number[]>();
  private readonly limits: LoginLimits;

  constructor(
    limits: Partial<LoginLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /**
   * Counts an attempt for `username` from `address` and returns it, or returns the milliseconds
   * until one of the two may try again (nothing counted) when either is over its allowance.
   */
  admit(username: string, address: string): AdmittedAttempt | { retryAfterMs: number } {
    const now = this.now();
    const keyed = [
      { key: `user:${username.toLowerCase()}`, max: this.limits.perUsername },
      { key: `addr:${addressKey(address)}`, max: this.limits.perAddress },
    ];
    let retryAfterMs = 0;
    for (const { key, max } of keyed) {
      const recent = this.recent(key, now);
      if (recent.length >= max) {
        retryAfterMs = Math.max(retryAfterMs, recent[recent.length - max]! + this.limits.windowMs - now);
      }
    }
    if (retryAfterMs > 0) return { retryAfterMs };
    for (const { key } of keyed) this.store(key, [...this.recent(key, now), now]);
    return { keys: keyed.map(({ key }) => key), at: now };
  }

  /** Gives a successful attempt back: a right password costs nothing. */
  refund(attempt: AdmittedAttempt): void {
    for (const key of attempt.keys) {
      const times = this.attempts.get(key);
      const at = times?.lastIndexOf(attempt.at) ?? -1;
      if (!times || at < 0) continue;
      times.splice(at, 1);
      if (times.length === 0) this.attempts.delete(key);
    }
  }

  /** How many keys are tracked (bounded by maxKeys). */
  get size(): number {
    return this.attempts.size;
  }

  private recent(key: string, now: number): number[] {
    const cutoff = now - this.limits.windowMs;
    return (this.attempts.get(key) ?? []).filter((t) => t > cutoff);
  }

  private store(key: string, times: number[]): void {
    this.attempts.delete(key);
    this.attempts.set(key, times);
    for (const oldest of this.attempts.keys()) {
      if (this.attempts.size <= this.limits.maxKeys) break;
      this.attempts.delete(oldest);
    }
  }
}

export const isAdmitted = (result: AdmittedAttempt | { retryAfterMs: number }): result is AdmittedAttempt =>
  'keys' in result;
