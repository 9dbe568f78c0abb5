/**
 * Engine actions the dashboard is taking right now (and took a moment ago), so that the engine
 * events they cause are not recorded a second time as actions taken on the host itself (the
 * dashboard's own audit entry already says who did it, with its parameters).
 *
 * A claim is made for the whole call and stays `graceMs` after it: the agent publishes an action's
 * events before it answers, over the same connection, so they normally arrive while the call is in
 * flight; the grace covers events that trail it. One web server process sees every dashboard action,
 * so an in-memory ledger is exact enough; what it cannot tell apart is a CLI action on the same
 * object (or, for container actions, any image/volume/network event on that host) in the same
 * window — that one is attributed to the dashboard's entry.
 */

/** The engine object kinds whose events can be caused by a dashboard action. */
const ENGINE_KINDS = new Set(['container', 'image', 'volume', 'network']);

export interface EngineEventRef {
  hostId: string;
  type: string;
  actorId: string;
  actorName: string | null;
}

interface Claim {
  hostId: string;
  kind: string;
  target: string | null;
  /** Epoch ms after which the claim is spent; Infinity while the call runs. */
  until: number;
}

export class DashboardActionLedger {
  private readonly claims = new Set<Claim>();

  constructor(
    private readonly graceMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Claims the engine events of an audited dashboard action (`container.stop` on a host); returns
   * the function to call when the action has finished. Actions that are not about an engine object
   * on a host (users, hosts, logins) claim nothing.
   */
  claim(action: { action: string; hostId?: string | null; target?: string | null }): () => void {
    const kind = action.action.split('.')[0]?.replace(/s$/, '') ?? '';
    if (!action.hostId || !ENGINE_KINDS.has(kind)) return () => {};
    const claim: Claim = { hostId: action.hostId, kind, target: action.target ?? null, until: Infinity };
    this.claims.add(claim);
    return () => {
      claim.until = this.now() + this.graceMs;
    };
  }

  /** True when a dashboard action in flight (or just finished) accounts for this engine event. */
  covers(event: EngineEventRef): boolean {
    const now = this.now();
    let covered = false;
    for (const claim of this.claims) {
      if (claim.until < now) {
        this.claims.delete(claim);
        continue;
      }
      if (claim.hostId === event.hostId && claimCovers(claim, event)) covered = true;
    }
    return covered;
  }
}

function claimCovers(claim: Claim, event: EngineEventRef): boolean {
  // Running or removing a container pulls images and creates or removes volumes and networks.
  if (claim.kind === 'container' && event.type !== 'container') return true;
  if (claim.kind !== event.type) return false;
  // Image, volume and network actions are few and short: any event of their kind is theirs.
  if (claim.kind !== 'container' || claim.target === null) return true;
  const target = claim.target.replace(/^\//, '');
  return (
    event.actorId === target ||
    (target.length >= 12 && /^[0-9a-f]+$/.test(target) && event.actorId.startsWith(target)) ||
    (event.actorName ?? '').replace(/^\//, '') === target
  );
}

/** The web server's one ledger: `audited()` claims in it, the engine audit recorder reads it. */
export const dashboardActions = new DashboardActionLedger();
