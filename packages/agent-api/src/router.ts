/**
 * The agent's tRPC router as a type only: tRPC clients share the router's type, never its code, so
 * nothing here loads the engine at run time (an `export type` is erased from the JavaScript).
 */
export type { AgentErrorData, AgentRouter, Transport } from '@stevedore/agent/router';
