import type { Readable } from 'node:stream';
import {
  type CreatedToken,
  type DataRootCheck,
  type DataRootInfo,
  type DiskUsageDetails,
  type DiskUsageRow,
  type EngineEvent,
  type ErrorCode,
  type EventsQuery,
  type HostUsage,
  type ImageHistoryEntry,
  type ImageInspect,
  type ImageSummary,
  isStevedoreError,
  type MirrorHealthReport,
  type PruneReport,
  type PullEvent,
  type PullRecord,
  type PushEvent,
  type RegistrySettings,
  type RegistrySettingsList,
  type RegistrySettingsValue,
  type SearchResult,
  StevedoreError,
  type SystemInfo,
  type TokenSummary,
  trpcCodeFor,
  type UsageHistory,
  type UsageHistoryQuery,
  type Version,
  type Volume,
} from '@stevedore/shared';
import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { ConfigService } from '../config/config-service.js';
import type { NetworkService } from '../network/network-service.js';
import type { ContainerService } from '../runtime/containers/container-service.js';
import type { ExecService } from '../runtime/exec/exec-service.js';
import type { StatsSampler } from '../runtime/stats/stats-sampler.js';
import type { MigrationService } from '../system/migration/migration-service.js';
import type { PruneService } from '../system/prune/prune-service.js';
import type { Logger } from '../util/logger.js';
import { type Outbound, paced } from './outbound-pacing.js';

/** How the caller reached the agent: the unix socket means local root; TCP means a token holder. */
export type Transport = 'unix' | 'tcp';

/** The narrow views of the services the routers call. */
export interface SystemApi {
  info(): Promise<SystemInfo>;
  version(): Version;
  usage(): Promise<HostUsage>;
}
export interface TokensApi {
  list(): TokenSummary[];
  create(name: string): Promise<CreatedToken>;
  remove(id: string): Promise<TokenSummary>;
}
export interface ImagesApi {
  list(filters?: readonly string[]): Promise<ImageSummary[]>;
  pull(reference: string, signal?: AbortSignal): AsyncGenerator<PullEvent>;
  inspect(image: string): Promise<ImageInspect>;
  tag(source: string, target: string): Promise<void>;
  remove(image: string, force?: boolean): Promise<{ untagged: string[]; deleted: string[] }>;
  login(serverAddress: string, username: string, password: string): Promise<{ Status: string }>;
  logout(serverAddress: string): Promise<{ removed: boolean }>;
  logins(): Promise<string[]>;
  history(image: string): Promise<ImageHistoryEntry[]>;
  prune(all: boolean): Promise<PruneReport>;
  search(query: string, limit: number): Promise<SearchResult[]>;
  importImage(options: {
    archive: Readable;
    tag: string | null;
    changes: string[];
    message: string;
  }): Promise<string>;
  load(archive: Readable): Promise<{ id: string; tags: string[] }[]>;
  save(names: readonly string[]): Promise<Readable>;
  push(reference: string): AsyncGenerator<PushEvent>;
}
export type ContainersApi = Pick<
  ContainerService,
  | 'list'
  | 'inspect'
  | 'create'
  | 'start'
  | 'stop'
  | 'restart'
  | 'kill'
  | 'pause'
  | 'unpause'
  | 'remove'
  | 'rename'
  | 'update'
  | 'limits'
  | 'wait'
  | 'attach'
  | 'logs'
  | 'logView'
  | 'attachInteractive'
  | 'attachWrite'
  | 'attachResize'
  | 'files'
  | 'prune'
  | 'top'
  | 'resolveIds'
  | 'connectNetwork'
  | 'disconnectNetwork'
  | 'ports'
  | 'settled'
>;
export type NetworksApi = Pick<
  NetworkService,
  'list' | 'inspect' | 'createNetwork' | 'removeNetwork' | 'prune'
>;
export type StatsApi = Pick<StatsSampler, 'subscribe'>;
export type ExecApi = Pick<ExecService, 'run' | 'write' | 'resize'>;
export interface VolumesApi {
  list(filters?: readonly string[]): Promise<Volume[]>;
  create(
    name: string | null,
    labels: Record<string, string>,
    driver?: string,
    options?: Record<string, string>,
  ): Promise<Volume>;
  inspect(name: string): Promise<Volume>;
  remove(name: string, force: boolean): Promise<void>;
  prune(all: boolean): Promise<PruneReport>;
}
export interface RegistriesApi {
  list(): Promise<RegistrySettingsList>;
  set(settings: RegistrySettingsValue): Promise<RegistrySettings>;
  health(): MirrorHealthReport;
  /** Every mirror, or one registry's endpoints (mirrors, and itself with `upstream`). */
  probe(target?: { registry: string; upstream: boolean }): Promise<MirrorHealthReport>;
  recentPulls(limit: number): PullRecord[];
}
export interface UsageApi {
  history(input: UsageHistoryQuery): Promise<UsageHistory>;
}
export interface EventsApi {
  stream(input: EventsQuery, signal: AbortSignal): AsyncGenerator<EngineEvent>;
}
export interface AgentServices {
  system: SystemApi;
  tokens: TokensApi;
  images: ImagesApi;
  containers: ContainersApi;
  stats: StatsApi;
  exec: ExecApi;
  volumes: VolumesApi;
  networks: NetworksApi;
  events: EventsApi;
  diskUsage: { report(): Promise<DiskUsageRow[]>; details(): Promise<DiskUsageDetails> };
  config: Pick<ConfigService, 'get' | 'update'>;
  prune: Pick<PruneService, 'preview' | 'runNow' | 'runs' | 'schedule'>;
  migration: Pick<MigrationService, 'migrate' | 'start' | 'cancel' | 'status' | 'follow'>;
  dataRoot: { info(): Promise<DataRootInfo>; check(target: string): Promise<DataRootCheck> };
  usage: UsageApi;
  registries: RegistriesApi;
}

export interface AgentContext {
  transport: Transport;
  services: AgentServices;
  log: Logger;
  /** Room on the caller's connection; subscriptions pull their next item only when there is some. */
  outbound?: Outbound;
}

/** What clients find in `error.data` besides tRPC's own fields. */
export interface AgentErrorData {
  stevedoreCode: ErrorCode | null;
  context: Record<string, unknown> | null;
}

interface IssueLike {
  path?: readonly PropertyKey[] | readonly { key: PropertyKey }[];
  message: string;
}

const validationMessage = (issues: readonly IssueLike[]) =>
  `invalid input: ${issues
    .map((issue) => {
      const path = (issue.path ?? [])
        .map((p) => (typeof p === 'object' ? String(p.key) : String(p)))
        .join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ')}`;

const t = initTRPC.context<AgentContext>().create({
  // Stack traces stay in the agent's log, never on the wire.
  isDev: false,
  // Errors carry a category inside the agent and become wire codes only here, at the edge.
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    if (isStevedoreError(cause)) {
      const key = trpcCodeFor[cause.code];
      const data: AgentErrorData = { stevedoreCode: cause.code, context: cause.context };
      return {
        ...shape,
        message: cause.message,
        code: TRPC_ERROR_CODES_BY_KEY[key],
        data: {
          ...shape.data,
          ...data,
          code: key,
          httpStatus: getHTTPStatusCodeFromError(new TRPCError({ code: key })),
        },
      };
    }
    const issues = (cause as { issues?: unknown } | undefined)?.issues;
    if (error.code === 'BAD_REQUEST' && Array.isArray(issues)) {
      const data: AgentErrorData = { stevedoreCode: 'INVALID_ARGUMENT', context: null };
      return {
        ...shape,
        message: validationMessage(issues as IssueLike[]),
        data: { ...shape.data, ...data },
      };
    }
    const data: AgentErrorData = { stevedoreCode: null, context: null };
    return { ...shape, data: { ...shape.data, ...data } };
  },
});

export const router = t.router;

/**
 * An attached `run` is told the exit status before the container's namespace, mount and (with
 * `--rm`) the container itself are gone, tens of milliseconds later; every procedure waits for
 * that first, so no caller ever sees a container half released.
 */
export const publicProcedure = t.procedure.use(async ({ ctx, next, type, signal }) => {
  await ctx.services.containers.settled();
  const result = await next();
  // Every subscription is paced by its connection, so no producer runs ahead of a slow client.
  if (type !== 'subscription' || !result.ok || !ctx.outbound || !isAsyncIterable(result.data)) return result;
  return { ...result, data: paced(result.data, ctx.outbound, signal) };
});

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** Procedures only local root may call: token management must never be reachable with a token. */
export const localProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.transport !== 'unix') {
    throw new StevedoreError(
      'PERMISSION_DENIED',
      'token management is only allowed over the local unix socket',
      { transport: ctx.transport },
    );
  }
  return next();
});
