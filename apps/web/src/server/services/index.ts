import type { Logger } from 'pino';
import { LoginLimiter, type LoginLimits } from '../auth/login-limiter';
import { SetupCode } from '../auth/setup-code';
import { ClusterNode, type ClusterTiming } from '../cluster/cluster-node';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { AgentHub, type ConnectAgent } from '../hub/agent-hub';
import { AgentInstallService } from './agent-install-service';
import { AlertService } from './alerts/alert-service';
import type { AlertTiming } from './alerts/evaluator';
import type { RetryPolicy } from './alerts/webhook-payload';
import { AuditService } from './audit-service';
import { AuthService } from './auth-service';
import { ConsoleService } from './console-service';
import { ContainerBulkService } from './container-bulk-service';
import { ContainerDetailsService } from './container-details-service';
import { ContainerFleetService } from './container-fleet-service';
import { ContainerFormService } from './container-form-service';
import { ContainerLimitsService } from './container-limits-service';
import { ContainerLogService } from './container-log-service';
import { ContainerUsageService } from './container-usage-service';
import { ContainerWindowService } from './container-window-service';
import { dashboardActions } from './dashboard-actions';
import { DiskService } from './disk/disk-service';
import { MigrationJobs, type MigrationTiming } from './disk/migration-jobs';
import { PrunePolicyService } from './disk/prune-policy-service';
import { EngineAuditRecorder } from './engine-audit';
import { type EventRetention, EventService } from './event-service';
import { FleetService, type FleetTiming } from './fleet-service';
import { HostContainerService } from './host-container-service';
import { HostImageService } from './host-image-service';
import { HostService } from './host-service';
import { ImageArchiveService } from './image-archive-service';
import { NetworkService } from './network-service';
import { PresetFleetCalls } from './presets/fleet-calls';
import { PresetService } from './presets/preset-service';
import type { Recommender } from './presets/recommended-values';
import { PresetRolloutService } from './presets/rollout-service';
import { RecreateJournal, type RecreateJournalTiming } from './recreate-journal';
import { RegistryService } from './registries/registry-service';
import { UserService } from './user-service';
import { VolumeService } from './volume-service';

/** Everything a request handler may use; built once in the server's composition root. */
export interface Services {
  auth: AuthService;
  hosts: HostService;
  fleet: FleetService;
  containers: HostContainerService;
  containerFleet: ContainerFleetService;
  containerWindows: ContainerWindowService;
  containerBulk: ContainerBulkService;
  containerDetails: ContainerDetailsService;
  console: ConsoleService;
  containerForm: ContainerFormService;
  containerLimits: ContainerLimitsService;
  containerUsage: ContainerUsageService;
  containerLogs: ContainerLogService;
  events: EventService;
  users: UserService;
  audit: AuditService;
  install: AgentInstallService;
  presets: PresetService;
  presetRollouts: PresetRolloutService;
  alerts: AlertService;
  registries: RegistryService;
  disk: DiskService;
  migrations: MigrationJobs;
  prunePolicies: PrunePolicyService;
  images: HostImageService;
  imageArchives: ImageArchiveService;
  networks: NetworkService;
  volumes: VolumeService;
}

export interface ControlPlaneOptions {
  db: Db;
  secrets: SecretBox;
  connect: ConnectAgent;
  log: Logger;
  pingIntervalMs?: number;
  retention?: EventRetention;
  fleetTiming?: FleetTiming;
  /** The packaged agent to install over SSH (scripts/bundle-agent.mjs's output). */
  agentPackageDir: string;
  /** Where the one-time first-admin set-up code is written (mode 0600). */
  setupCodeFile: string;
  loginLimits?: Partial<LoginLimits>;
  /** Alert evaluation and webhook retries (tests make them fast). */
  alertTiming?: Partial<AlertTiming>;
  webhookRetry?: RetryPolicy;
  /** Data-root migrations' polling once the agent stops reporting (tests make it fast). */
  migrationTiming?: Partial<MigrationTiming>;
  /** When an unrenewed recreate counts as abandoned, and how often they are looked for (tests shorten them). */
  recreateTiming?: Partial<RecreateJournalTiming>;
  /**
   * Several web processes share the fleet over this PostgreSQL database (host leases, LISTEN/NOTIFY);
   * without it this process follows every host. `start()` the returned `cluster` once hosts are loaded.
   */
  cluster?: { url: string; timing?: Partial<ClusterTiming> };
}

/** Wires the hub and the services over one database: the server's and the tests' composition root. */
export function createControlPlaneServices(options: ControlPlaneOptions): {
  hub: AgentHub;
  services: Services;
  cluster: ClusterNode | null;
  close(): Promise<void>;
} {
  const { db, log } = options;
  const events = new EventService(db, log.child({ module: 'events' }), options.retention);
  const hub = new AgentHub(options.connect, log.child({ module: 'hub' }), {
    events,
    ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
    followOnAdd: !options.cluster,
  });
  // Actions taken on the hosts themselves (their CLI) reach the audit log through their events.
  const engineAudit = new EngineAuditRecorder(
    (entry) => appendAudit(db, entry),
    (event) => dashboardActions.covers(event),
    log.child({ module: 'engine-audit' }),
  );
  // Only the events of hosts this process follows: each is recorded once across processes.
  const stopEngineAudit = events.onAccepted((event) => engineAudit.accept(event));
  const hosts = new HostService(db, hub, options.secrets);
  const fleet = new FleetService(hosts, hub, events, options.fleetTiming);
  const containerFleet = new ContainerFleetService(
    hosts,
    hub,
    events,
    log.child({ module: 'container-fleet' }),
  );
  const users = new UserService(db);
  const presetCalls = new PresetFleetCalls(hub);
  const containerLimits = new ContainerLimitsService(db, hub, events);
  const recommend: Recommender = (input, policy) => containerLimits.recommend(input, policy);
  const alerts = new AlertService({
    db,
    secrets: options.secrets,
    hub,
    hosts,
    events,
    log: log.child({ module: 'alerts' }),
    ...(options.alertTiming ? { timing: options.alertTiming } : {}),
    ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
  });
  const migrations = new MigrationJobs(db, hub, log.child({ module: 'migration' }), options.migrationTiming);
  const prunePolicies = new PrunePolicyService(db, hub, log.child({ module: 'prune' }));
  const recreates = new RecreateJournal(db, hub, log.child({ module: 'recreate' }), options.recreateTiming);
  recreates.start();
  const services: Services = {
    auth: new AuthService(
      db,
      new LoginLimiter(options.loginLimits),
      new SetupCode(options.setupCodeFile),
      log.child({ module: 'auth' }),
    ),
    hosts,
    fleet,
    containers: new HostContainerService(db, hub),
    containerFleet,
    containerWindows: new ContainerWindowService(containerFleet, log.child({ module: 'container-windows' })),
    containerDetails: new ContainerDetailsService(db, hub, events),
    console: new ConsoleService(db, hub, log.child({ module: 'console' })),
    containerForm: new ContainerFormService(db, hub, log.child({ module: 'container-form' }), recreates),
    containerLimits,
    containerUsage: new ContainerUsageService(db, hub),
    containerLogs: new ContainerLogService(db, hub),
    containerBulk: new ContainerBulkService(db, hub, users, containerFleet),
    events,
    users,
    audit: new AuditService(db),
    install: new AgentInstallService(db, hosts, options.agentPackageDir),
    presets: new PresetService(db, hosts, presetCalls, recommend),
    presetRollouts: new PresetRolloutService(
      db,
      hosts,
      users,
      presetCalls,
      log.child({ module: 'presets' }),
      recommend,
    ),
    alerts,
    registries: new RegistryService(db, hub, hosts),
    disk: new DiskService(db, hub),
    migrations,
    prunePolicies,
    images: new HostImageService(db, hub, hosts, log.child({ module: 'images' })),
    imageArchives: new ImageArchiveService(db, hub),
    networks: new NetworkService(db, hub),
    volumes: new VolumeService(db, hub),
  };
  const cluster = options.cluster
    ? new ClusterNode(
        options.cluster.url,
        {
          hub,
          events,
          reloadHost: (hostId) => hosts.reloadTarget(hostId),
          onEventGap: () => containerFleet.outdateAll(),
          log: log.child({ module: 'cluster' }),
        },
        options.cluster.timing,
      )
    : null;
  return {
    hub,
    services,
    cluster,
    async close() {
      await cluster?.close();
      fleet.close();
      await recreates.close();
      prunePolicies.close();
      migrations.close();
      containerFleet.close();
      await services.presetRollouts.close();
      services.auth.close();
      await alerts.close();
      await hub.close();
      stopEngineAudit();
      engineAudit.close();
      await events.close();
    },
  };
}
