import { spawnSync } from 'node:child_process';
import { connectAgentOnce } from '@stevedore/agent-api';
import { cliBin, median, percentile, rssKiB, sleep, startAgent, table } from './common.mjs';

export async function benchAgent() {
  const startups = [];
  const rss = [];
  for (let i = 0; i < 5; i++) {
    const agent = await startAgent();
    startups.push(agent.readyMs);
    await sleep(1000);
    rss.push(rssKiB(agent.child.pid));
    await agent.stop();
  }
  const agent = await startAgent();
  try {
    const connection = await connectAgentOnce({ host: `unix://${agent.socket}` });
    const latencies = [];
    for (let i = 0; i < 20; i++) await connection.client.system.info.query(); // warm-up
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await connection.client.system.info.query();
      latencies.push(performance.now() - t);
    }
    await connection.close();
    const cli = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const result = spawnSync(cliBin, ['-H', `unix://${agent.socket}`, 'info'], {
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`stevedore info failed: ${result.stderr}`);
      cli.push(performance.now() - t);
    }
    table('agent', [
      ['agent start → socket answers (median of 5)', `${median(startups).toFixed(0)} ms`],
      ['agent idle RSS after start (median of 5)', `${(median(rss) / 1024).toFixed(1)} MiB`],
      ['system.info over unix socket, p50 (500 calls)', `${percentile(latencies, 50).toFixed(2)} ms`],
      ['system.info over unix socket, p99 (500 calls)', `${percentile(latencies, 99).toFixed(2)} ms`],
      ['`stevedore info` wall time (median of 10)', `${median(cli).toFixed(0)} ms`],
    ]);
  } finally {
    await agent.stop();
  }
}
