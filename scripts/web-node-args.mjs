/**
 * The node flags the dashboard server runs with: `npm start` (scripts/start.mjs) and the tests' and
 * benchmarks' harness (e2e/harness/web-server.ts) both start it with these.
 *
 * - `--max-semi-space-size=8`: a lower cap on V8's young generation. After page loads it stays at
 *   the size they grew it to while the server rests, and nothing collects at rest; with 500 hosts
 *   the server's RSS at rest was 259–303 MiB with the cap and 282–320 without it, with no CPU cost
 *   seen (BENCHMARKS.md, session 18).
 * - `--heap-growing-percent=60`: a full collection comes once the old generation has grown by 60 %
 *   since the last one, not by V8's own factor (about ×1.8 here, up to ×4). The live heap is about
 *   100 MB at 500 hosts; V8 let it grow to 190 MB before collecting, and that stayed committed while
 *   the server rested. With 60 the server rested at 247–263 MiB (default 259–320); 40 rested lower
 *   (218–245) but its more frequent collections cost 4–7 % of a core more with three browsers open
 *   (BENCHMARKS.md, session 19).
 */
export const WEB_NODE_ARGS = ['--max-semi-space-size=8', '--heap-growing-percent=60'];
