// `npm run bench log-format`: what Docker's json-file format on disk would cost, measured. conmon
// writes CRI's k8s-file format and has no json-file driver, so json-file would take a converter in
// the agent that tails each k8s-file log and writes a second, json-file copy. This measures that
// converter's floor in-process (one streaming pass, no fsync): lines/s and CPU per line, and the
// disk the copy takes against the k8s-file log it is made from.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { table } from './common.mjs';

const LINES = 1_000_000;
/** A typical access-log line, about 100 bytes. */
const TEXT =
  'GET /api/v1/items?page=3 200 12.3ms user=42 request_id=9f1c2e7a-5b3d-4e8f-a1b2-c3d4e5f6a7b8 "ok"';

export async function benchLogFormat() {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-bench-log-format-'));
  try {
    const k8sPath = join(dir, 'k8s.log');
    const jsonPath = join(dir, 'json.log');
    writeFileSync(k8sPath, k8sLines());
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await convert(k8sPath, jsonPath);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const k8s = statSync(k8sPath).size;
    const json = statSync(jsonPath).size;
    table(`log-format (k8s-file → json-file converter, ${LINES.toLocaleString('en')} lines)`, [
      ['k8s-file log', `${(k8s / 2 ** 20).toFixed(1)} MiB`],
      ['json-file copy', `${(json / 2 ** 20).toFixed(1)} MiB (${(json / k8s).toFixed(2)}× the k8s-file log)`],
      [
        'conversion',
        `${seconds.toFixed(2)} s, ${Math.round(LINES / seconds).toLocaleString('en')} lines/s, ${(k8s / 2 ** 20 / seconds).toFixed(1)} MiB/s`,
      ],
      ['converter CPU', `${((cpu.user + cpu.system) / LINES).toFixed(2)} µs/line`],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function k8sLines() {
  const parts = [];
  const start = Date.parse('2026-12-05T23:40:08Z');
  for (let i = 0; i < LINES; i++) {
    const time = new Date(start + i).toISOString().replace('Z', '000000+00:00');
    parts.push(`${time} ${i % 10 === 0 ? 'stderr' : 'stdout'} F ${TEXT}\n`);
  }
  return parts.join('');
}

/** k8s-file `TIME STREAM F|P TEXT` → json-file `{"log":"TEXT\n","stream":…,"time":…}` (P: no newline). */
async function convert(from, to) {
  const out = createWriteStream(to);
  const lines = createInterface({ input: createReadStream(from), crlfDelay: Number.POSITIVE_INFINITY });
  let buffer = '';
  for await (const line of lines) {
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    const c = line.indexOf(' ', b + 1);
    const log = line.slice(c + 1) + (line.slice(b + 1, c) === 'F' ? '\n' : '');
    buffer += `${JSON.stringify({ log, stream: line.slice(a + 1, b), time: line.slice(0, a).replace('+00:00', 'Z') })}\n`;
    if (buffer.length > 65_536) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((resolve) => out.once('finish', resolve));
}
