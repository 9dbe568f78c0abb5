/**
 * Containers in Docker's API shapes (field names as in the Engine API), so `docker inspect` habits,
 * Go templates and Portainer-style forms carry over. The agent validates every create and update
 * against these schemas; limits that need the host (CPU count, cpusets) are checked by the agent.
 * One file per part: names, signals, capabilities, restart policy, resource limits, the create
 * request, inspect/list shapes, logs, stats, exec and attach.
 */

export * from './attach.js';
export { ALL_CAPABILITIES } from './capabilities.js';
export * from './create.js';
export * from './exec.js';
export * from './health.js';
export * from './inspect.js';
export * from './limits.js';
export * from './log-search.js';
export * from './log-view.js';
export * from './logs.js';
export * from './names.js';
export {
  MIN_MEMORY_BYTES,
  type Resources,
  ResourcesSchema,
  type ResourcesUpdate,
  ResourcesUpdateSchema,
} from './resources.js';
export * from './restart-policy.js';
export * from './run-command.js';
export * from './run-options.js';
export * from './signals.js';
export * from './stats.js';
export * from './usage-history.js';
