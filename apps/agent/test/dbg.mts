import { openSync, readdirSync, writeFileSync } from 'node:fs';
import { SeqpacketSocket } from 'node-unix-socket';
import { connectAgentOnce } from '../src/api/client.js';
import { startAgent } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import { startRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

const registry = await startRegistry();
const busybox = await pushBusybox(registry);
const agent = await startAgent();
try {
  await runCli(['-H', agent.host, 'pull', '-q', busybox.reference]);
  const conn = await connectAgentOnce({ host: agent.host });
  const { Id } = await conn.client.containers.create.mutate({
    Config: { Image: busybox.reference, Cmd: ['sh'], Tty: true, OpenStdin: true },
  });
  await conn.client.containers.start.mutate({ container: Id });
  const dir = `${agent.execRoot}/containers/${Id}`;
  console.log(readdirSync(dir));
  const fd = openSync(dir, 'r');
  const sock = new SeqpacketSocket();
  sock.on('data', (b: Buffer) => console.log('pkt', b[0], JSON.stringify(b.subarray(1).toString())));
  sock.on('error', (e: Error) => console.log('err', e));
  sock.connect(`/proc/self/fd/${fd}/attach`, () => console.log('connected'));
  await new Promise((r) => setTimeout(r, 300));
  sock.write(Buffer.from('stty size; echo hi\n'));
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(`${dir}/ctl`, '1 40 120\n');
  await new Promise((r) => setTimeout(r, 300));
  sock.write(Buffer.from('stty size; exit 3\n'));
  await new Promise((r) => setTimeout(r, 1000));
  console.log(await conn.client.containers.inspect.query({ container: Id }).then((i) => i.State));
  await conn.close();
} finally {
  await agent.stop();
  await registry.stop();
}
