export * from './archive-client.js';
export * from './client.js';
export type * from './router.js';
