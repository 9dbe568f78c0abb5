/**
 * What guards a Node HTTP server process against its clients and its own stray errors, shared by the
 * agent and the dashboard's server. Node-only: a subpath of the package (`@stevedore/shared/node-guards`),
 * never part of its main entry, which the browser loads.
 */
export type { GuardLog } from './guard-log.js';
export { answerMalformedRequest } from './malformed-request.js';
export { installProcessGuards, type ProcessGuardOptions } from './process-guards.js';
