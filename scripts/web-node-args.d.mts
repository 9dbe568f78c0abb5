/** The node flags the dashboard server runs with (see web-node-args.mjs). */
export const WEB_NODE_ARGS: readonly string[];
