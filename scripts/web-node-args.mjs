/**
 * The node flags the dashboard server runs with: `npm start` (scripts/start.mjs) and the tests' and
 * benchmarks' harness (e2e/harness/web-server.ts) both start it with these.
 *
 * `--max-semi-space-size=8`: a lower cap on V8's young generation. After page loads it stays at the
 * size they grew it to while the server rests, and nothing collects at rest; with 500 hosts the
 * server's RSS at rest was 259–303 MiB with the cap and 282–320 without it, with no CPU cost seen
 * (BENCHMARKS.md, session 18).
 */
export const WEB_NODE_ARGS = ['--max-semi-space-size=8'];
