export * from './auth.js';
export * from './config.js';
export * from './errors.js';
export * from './format/human-duration.js';
export * from './format/human-size.js';
export * from './hosts.js';
export * from './system.js';
export * from './tokens.js';
