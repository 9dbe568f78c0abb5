import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { busyboxAgentSuite } from './harness/busybox-agent.js';

/** The CLI's surface as Docker 20.10's: exit statuses, management-command forms, table formats, list flags. */
describe('docker CLI parity', () => {
  const { suite, cli, ok } = busyboxAgentSuite();
  const runDetached = async (...args: string[]) =>
    (await ok('run', '-d', '--network', 'none', ...args, suite.busybox.reference, 'sleep', '300')).trim();

  test('a flag that cannot be parsed exits 125 on every command; a wrong argument count or command exits 1', async () => {
    const flagErrors: [string[], RegExp][] = [
      [['images', '--bogus'], /^unknown flag: --bogus\nSee 'stevedore images --help'\.\n$/],
      [['ps', '-Z'], /^unknown shorthand flag: 'Z' in -Z\nSee 'stevedore ps --help'\.\n$/],
      [['info', '--bogus'], /^unknown flag: --bogus\n/],
      [['--bogus', 'ps'], /^unknown flag: --bogus\nSee 'stevedore --help'\.\n$/],
      [['volume', 'ls', '--format'], /^flag needs an argument: --format\n/],
      [['logs', '--tail'], /^flag needs an argument: --tail\n/],
      [['exec', '-u'], /^flag needs an argument: 'u' in -u\n/],
      [
        ['network', 'ls', '-q=maybe'],
        /^invalid argument "maybe" for "-q, --quiet" flag: must be true or false\n/,
      ],
      [
        ['stop', '-t', 'soon', 'x'],
        /^invalid argument "soon" for "-t, --time" flag: must be an integer\nSee 'stevedore stop --help'\.\n$/,
      ],
      [['update', '--cpu-shares', 'many', 'x'], /^invalid argument "many" for "-c, --cpu-shares" flag/],
      [['search', '--limit', 'ten', 'busybox'], /^invalid argument "ten" for "--limit" flag/],
    ];
    for (const [args, stderr] of flagErrors) {
      const result = await cli(...args);
      assert.equal(result.code, 125, `stevedore ${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, stderr);
      assert.equal(result.stdout, '');
    }
    const count = await cli('rm');
    assert.equal(count.code, 1, count.stderr);
    assert.match(count.stderr, /^"stevedore rm" requires at least 1 argument\./);
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 1, unknown.stderr);
  });

  test('rm -f and rmi -f of a missing name say so on stderr and exit 0; without -f they exit 1', async () => {
    const id = (await ok('create', '--network', 'none', suite.busybox.reference, 'true')).trim();
    const forced = await cli('rm', '-f', 'parity-no-such', id);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, `${id}\n`);
    assert.equal(forced.stderr, 'Error: No such container: parity-no-such\n');
    const plain = await cli('rm', 'parity-no-such');
    assert.equal(plain.code, 1);
    assert.equal(plain.stderr, 'Error: No such container: parity-no-such\n');
    // -f forgives only what is gone, not other failures.
    const other = await cli('rm', '-f', '');
    assert.equal(other.code, 1, other.stderr);

    // rmi -f likewise, as Docker's.
    await ok('tag', suite.busybox.reference, 'parity/rmi-forced:v1');
    const images = await cli('rmi', '-f', 'parity/no-such:v1', 'parity/rmi-forced:v1');
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.stdout, 'Untagged: parity/rmi-forced:v1\n');
    assert.equal(images.stderr, 'Error: No such image: parity/no-such:v1\n');
    const plainImage = await cli('rmi', 'parity/no-such:v1');
    assert.equal(plainImage.code, 1);
    assert.equal(plainImage.stderr, 'Error: No such image: parity/no-such:v1\n');
  });

  test("missing volumes and networks are worded as Docker's client words them; start and rename close as Docker's", async () => {
    const volumeRm = await cli('volume', 'rm', 'parity-no-such', 'parity-no-such2');
    assert.equal(volumeRm.code, 1);
    assert.equal(
      volumeRm.stderr,
      'Error: No such volume: parity-no-such\nError: No such volume: parity-no-such2\n',
    );
    for (const args of [
      ['volume', 'inspect', 'parity-no-such'],
      ['inspect', '--type', 'volume', 'parity-no-such'],
    ]) {
      const result = await cli(...args);
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(result.stderr, 'Error: No such volume: parity-no-such\n', args.join(' '));
    }
    for (const args of [
      ['network', 'rm', 'parity-no-such'],
      ['network', 'inspect', 'parity-no-such'],
      ['inspect', '--type', 'network', 'parity-no-such'],
    ]) {
      const result = await cli(...args);
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(result.stderr, 'Error: No such network: parity-no-such\n', args.join(' '));
    }

    const id = (await ok('create', '--network', 'none', suite.busybox.reference, 'true')).trim();
    const started = await cli('start', id, 'parity-no-such', 'parity-no-such2');
    assert.equal(started.code, 1);
    assert.equal(started.stdout, `${id}\n`);
    assert.equal(
      started.stderr,
      'Error response from daemon: No such container: parity-no-such\n' +
        'Error response from daemon: No such container: parity-no-such2\n' +
        'Error: failed to start containers: parity-no-such, parity-no-such2\n',
    );
    for (const args of [['port'], ['attach'], ['start', '-a']]) {
      const result = await cli(...args, 'parity-no-such');
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(result.stderr, 'Error: No such container: parity-no-such\n', args.join(' '));
    }
    const killed = await cli('kill', 'parity-no-such');
    assert.equal(killed.code, 1);
    assert.equal(
      killed.stderr,
      'Error response from daemon: Cannot kill container: parity-no-such: No such container: parity-no-such\n',
    );
    const renamed = await cli('rename', 'parity-no-such', 'parity-renamed');
    assert.equal(renamed.code, 1);
    assert.equal(
      renamed.stderr,
      'Error response from daemon: No such container: parity-no-such\nError: failed to rename container named parity-no-such\n',
    );
    await ok('rm', '-f', id);
  });

  test('exec on a missing, stopped or paused container exits 1 with Docker messages', async () => {
    const missing = await cli('exec', 'parity-no-such', 'true');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: No such container: parity-no-such\n');

    const stopped = (await ok('create', '--network', 'none', suite.busybox.reference, 'true')).trim();
    const notRunning = await cli('exec', stopped, 'true');
    assert.equal(notRunning.code, 1);
    assert.equal(notRunning.stderr, `Error response from daemon: Container ${stopped} is not running\n`);

    const running = await runDetached();
    await ok('pause', running);
    const paused = await cli('exec', running, 'true');
    assert.equal(paused.code, 1);
    assert.equal(
      paused.stderr,
      `Error response from daemon: Container ${running} is paused, unpause the container before exec\n`,
    );
    await ok('unpause', running);
    // A command that cannot start is still 126/127, as in Docker.
    assert.equal((await cli('exec', running, '/no/such/binary')).code, 127);
    await ok('rm', '-f', stopped, running);
  });
  test('management-command forms run the same commands: container …, image …, system …', async () => {
    const help = await ok('container', '--help');
    for (const verb of [
      'attach',
      'commit',
      'cp',
      'create',
      'exec',
      'export',
      'inspect',
      'kill',
      'logs',
      'ls',
    ]) {
      assert.match(help, new RegExp(`^  ${verb} +\\S`, 'm'), `container --help lists ${verb}`);
    }
    for (const verb of [
      'pause',
      'port',
      'prune',
      'rename',
      'restart',
      'rm',
      'run',
      'start',
      'stats',
      'stop',
    ]) {
      assert.match(help, new RegExp(`^  ${verb} +\\S`, 'm'), `container --help lists ${verb}`);
    }
    for (const verb of ['top', 'unpause', 'update', 'wait']) {
      assert.match(help, new RegExp(`^  ${verb} +\\S`, 'm'), `container --help lists ${verb}`);
    }
    assert.doesNotMatch(help, /^ {2}(ps|list|remove) /m, 'aliases are not listed');
    assert.match(await ok('container', 'ls', '--help'), /^Aliases:\n {2}ls, ps, list$/m);
    const imageHelp = await ok('image', '--help');
    for (const verb of [
      'history',
      'import',
      'inspect',
      'load',
      'ls',
      'prune',
      'pull',
      'push',
      'rm',
      'save',
      'tag',
    ]) {
      assert.match(imageHelp, new RegExp(`^  ${verb} +\\S`, 'm'), `image --help lists ${verb}`);
    }
    const systemHelp = await ok('system', '--help');
    for (const verb of ['df', 'events', 'info', 'prune']) {
      assert.match(systemHelp, new RegExp(`^  ${verb} +\\S`, 'm'), `system --help lists ${verb}`);
    }

    assert.equal(
      await ok('container', 'run', '--rm', '--network', 'none', suite.busybox.reference, 'echo', 'ran'),
      'ran\n',
    );
    const id = (
      await ok(
        'container',
        'create',
        '--name',
        'parity-forms',
        '--network',
        'none',
        suite.busybox.reference,
        'sleep',
        '300',
      )
    ).trim();
    await ok('container', 'start', 'parity-forms');
    for (const list of [['container', 'ls'], ['container', 'ps'], ['container', 'list'], ['ps']]) {
      assert.equal(await ok(...list, '-q', '--no-trunc'), `${id}\n`, list.join(' '));
    }
    assert.equal(await ok('container', 'exec', 'parity-forms', 'echo', 'inside'), 'inside\n');
    assert.equal(await ok('container', 'inspect', '-f', '{{.State.Running}}', 'parity-forms'), 'true\n');
    const notContainer = await cli('container', 'inspect', suite.busybox.reference);
    assert.equal(notContainer.code, 1, 'container inspect looks at containers only');
    assert.equal(notContainer.stderr, `Error: No such container: ${suite.busybox.reference}\n`);
    await ok('container', 'rename', 'parity-forms', 'parity-forms2');
    await ok('container', 'pause', 'parity-forms2');
    await ok('container', 'unpause', 'parity-forms2');
    assert.match(await ok('container', 'top', 'parity-forms2'), /sleep 300/);
    await ok('container', 'stop', '-t', '0', 'parity-forms2');
    assert.match(await ok('container', 'wait', 'parity-forms2'), /^\d+\n$/);
    assert.equal(await ok('container', 'remove', 'parity-forms2'), 'parity-forms2\n');

    await ok('image', 'tag', suite.busybox.reference, 'parity/forms:v1');
    assert.equal(await ok('image', 'ls', '-q'), await ok('images', '-q'));
    assert.match(await ok('image', 'list', '--format', '{{.Repository}}:{{.Tag}}'), /^parity\/forms:v1$/m);
    assert.match(await ok('image', 'history', '-q', 'parity/forms:v1'), /\S/);
    assert.equal(await ok('image', 'rm', 'parity/forms:v1'), 'Untagged: parity/forms:v1\n');
    assert.equal(
      await ok('system', 'info', '--format', '{{.ServerVersion}}'),
      await ok('info', '--format', '{{.ServerVersion}}'),
    );
  });
  test("--format 'table …' prints Docker's header row and aligned columns on every list command", async () => {
    const id = await runDetached('--name', 'parity-table');
    await ok('volume', 'create', '--label', 'b=2', '--label', 'a=1', 'parity-table-vol');
    await ok('token', 'create', 'parity-table-token');
    const tables: [string[], RegExp][] = [
      [
        ['ps', '--format', 'table {{.ID}}\\t{{.Image}}\\t{{.Names}}'],
        new RegExp(
          `^CONTAINER ID   IMAGE${' '.repeat(suite.busybox.reference.length - 2)}NAMES\\n${id.slice(0, 12)}   ${suite.busybox.reference.replace(/[.]/g, '\\.')}   parity-table\\n$`,
        ),
      ],
      [
        ['container', 'ls', '--format', 'table {{.Names}}\\t{{.State}}'],
        /^NAMES {10}STATE\nparity-table {3}running\n$/,
      ],
      [['images', '--format', 'table {{.Tag}}\\t{{.ID}}'], /^TAG {7}IMAGE ID\nlatest {4}[0-9a-f]{12}\n$/],
      [
        ['volume', 'ls', '--format', 'table {{.Name}}\\t{{.Driver}}'],
        /^VOLUME NAME {8}DRIVER\nparity-table-vol {3}local\n$/,
      ],
      [
        ['network', 'ls', '--format', 'table {{.Name}}\\t{{.Driver}}', '-f', 'name=none'],
        /^NAME {6}DRIVER\nnone {6}null\n$/,
      ],
      [
        ['history', '--format', 'table {{.ID}}\\t{{.Size}}', suite.busybox.reference],
        /^IMAGE {10}SIZE\n[0-9a-f]{12} {3}\S+\n/,
      ],
      [
        ['token', 'ls', '--format', 'table {{.Name}}\\t{{.ID}}'],
        /^NAME {17}TOKEN ID\nparity-table-token {3}[0-9a-f]{12}\n$/,
      ],
      [
        ['stats', '--no-stream', '--format', 'table {{.Name}}\\t{{.PIDs}}', id],
        /^NAME {11}PIDS\nparity-table {3}1\n$/,
      ],
    ];
    for (const [args, expected] of tables) assert.match(await ok(...args), expected, args.join(' '));
    const [header, images] = (
      await ok('system', 'df', '--format', 'table {{.Type}}\\t{{.TotalCount}}')
    ).split('\n');
    assert.match(header ?? '', /^TYPE {6,}TOTAL$/);
    assert.equal(images?.indexOf('1'), header?.indexOf('TOTAL'), `aligned: ${header}\n${images}`);
    // `table` alone is the default table; a template that is no table has no header.
    assert.equal(await ok('volume', 'ls', '--format', 'table'), await ok('volume', 'ls'));
    assert.equal(await ok('volume', 'ls'), 'DRIVER    VOLUME NAME\nlocal     parity-table-vol\n');
    assert.match(
      await ok('ps'),
      /^CONTAINER ID {3}IMAGE {3,}COMMAND {3,}CREATED {3,}STATUS {3,}PORTS {5}NAMES\n/,
    );
    assert.equal(
      await ok('volume', 'ls', '--format', '{{.Name}}\\t{{.Driver}}'),
      'parity-table-vol\tlocal\n',
    );
    // The fields Docker's volume and network listings offer, printed as Docker prints them.
    assert.deepEqual(JSON.parse(await ok('volume', 'ls', '--format', 'json')), {
      Name: 'parity-table-vol',
      Driver: 'local',
      Scope: 'local',
      Mountpoint: JSON.parse(
        await ok('volume', 'inspect', '--format', '{{json .Mountpoint}}', 'parity-table-vol'),
      ),
      Labels: 'a=1,b=2',
      Links: 'N/A',
      Size: 'N/A',
    });
    assert.match(
      await ok(
        'network',
        'ls',
        '-f',
        'name=none',
        '--format',
        '{{.Name}} {{.IPv6}} {{.Internal}} {{.CreatedAt}}',
      ),
      /^none false false \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\n$/,
    );
    await ok('rm', '-f', id);
    await ok('volume', 'rm', 'parity-table-vol');
    await ok('token', 'rm', 'parity-table-token');
  });
  test('images -a, --digests, --no-trunc and REPOSITORY[:TAG]; ps -n, -l and -s; stats --no-trunc', async () => {
    const rowsFormat = '{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}}';
    assert.equal(
      await ok('images', '-a', '--format', rowsFormat),
      await ok('images', '--format', rowsFormat),
      'no intermediate images: -a lists the same',
    );
    const repository = suite.busybox.reference.replace(/:latest$/, '');
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(
      await ok('images', '--digests', repository),
      new RegExp(
        `^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE\\n${escaped(repository)} +latest +${suite.busybox.manifestDigest} +[0-9a-f]{12} +`,
      ),
    );
    assert.equal(
      await ok('images', '--format', '{{.Digest}}', suite.busybox.reference),
      `${suite.busybox.manifestDigest}\n`,
    );
    assert.match(
      await ok(
        'images',
        '--digests',
        '--format',
        'table {{.Repository}}\\t{{.Tag}}',
        suite.busybox.reference,
      ),
      new RegExp(
        `^REPOSITORY +TAG +DIGEST\\n${escaped(repository)} +latest +${suite.busybox.manifestDigest}\\n$`,
      ),
      '--digests adds the column to a table of ones own',
    );
    const json = JSON.parse(await ok('images', '--format', 'json', suite.busybox.reference));
    assert.equal(json.Digest, '<none>', 'the digest is shown only when asked for, as in Docker');
    assert.deepEqual([json.Containers, json.SharedSize, json.UniqueSize], ['N/A', 'N/A', 'N/A']);
    assert.equal(json.VirtualSize, json.Size);
    assert.equal(
      await ok('images', '-q', '--no-trunc', suite.busybox.reference),
      `${suite.busybox.configDigest}\n`,
      '--no-trunc shows the whole ID',
    );
    assert.match(await ok('images', '--no-trunc'), new RegExp(`   ${suite.busybox.configDigest}   `));
    assert.equal(
      await ok('images', 'parity/no-such-repo'),
      'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n',
    );

    const older = (
      await ok('create', '--name', 'parity-older', '--network', 'none', suite.busybox.reference, 'true')
    ).trim();
    const newer = (
      await ok('create', '--name', 'parity-newer', '--network', 'none', suite.busybox.reference, 'true')
    ).trim();
    assert.equal(await ok('ps', '-q'), '', 'none of them runs');
    assert.equal(
      await ok('ps', '-l', '-q', '--no-trunc'),
      `${newer}\n`,
      '-l: the latest created, stopped or not',
    );
    assert.equal(await ok('ps', '--latest', '--format', '{{.Names}}'), 'parity-newer\n');
    assert.equal(await ok('ps', '-n', '2', '--format', '{{.Names}}'), 'parity-newer\nparity-older\n');
    assert.equal(await ok('ps', '--last=1', '-q', '--no-trunc'), `${newer}\n`);
    assert.equal(
      await ok('ps', '-n', '1', '-q', '--no-trunc', '-f', 'name=parity-older'),
      `${older}\n`,
      'filtered first',
    );
    const badLast = await cli('ps', '-n', 'two');
    assert.equal(badLast.code, 125, badLast.stderr);
    assert.match(badLast.stderr, /^invalid argument "two" for "-n, --last" flag/);

    const running = await runDetached('--name', 'parity-sized', '-v', '/data');
    await ok('exec', running, 'sh', '-c', 'head -c 100000 /dev/zero > /written');
    const sized = (await ok('ps', '-s', '-f', 'name=parity-sized')).split('\n');
    assert.match(sized[0] ?? '', /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE$/);
    const size = /parity-sized +(\S+) \(virtual (\S+)\)$/.exec(sized[1] ?? '');
    assert.ok(size, sized.join('\n'));
    assert.match(size[1] as string, /^\d+(\.\d+)?kB$/, 'the 100 kB written');
    assert.match(
      await ok('ps', '--format', 'table {{.Names}}\\t{{.Size}}', '-f', 'name=parity-sized'),
      /^NAMES +SIZE\nparity-sized +\d+(\.\d+)?kB \(virtual \d+(\.\d+)?[kM]B\)\n$/,
      'a format with .Size asks for sizes',
    );
    assert.equal(
      await ok('ps', '--format', 'table {{.Names}}\\t{{.LocalVolumes}}', '-f', 'name=parity-sized'),
      'NAMES          LOCAL VOLUMES\nparity-sized   1\n',
    );

    assert.equal(
      await ok('stats', '--no-stream', '--no-trunc', '--format', '{{.ID}} {{.Container}}', running),
      `${running} ${running.slice(0, 12)}\n`,
    );
    assert.equal(
      await ok('stats', '--no-stream', '--format', '{{.ID}}', running),
      `${running.slice(0, 12)}\n`,
    );
    await ok('rm', '-f', '-v', older, newer, running);
  });
});
