/**
 * The command matrix run against Docker and Stevedore. Each case is a few steps run in order on
 * both engines; each step's results are compared (compare.ts). Placeholders: {image} the busybox
 * image in the test registry, {registry} that registry's host:port, {tmp} a directory of the
 * engine's own, {since} the Unix time the case started on that engine, {now} the time of the step.
 * Containers run with `--network none`: the Docker under test has no default bridge.
 */
import type { StdoutMode } from './compare.js';

export interface Step {
  args: string[];
  stdout?: StdoutMode;
  /** stderr compared too (default); off where one engine only warns (progress, hints). */
  stderr?: boolean;
}

export interface Case {
  id: string;
  steps: Step[];
  /** Run on both engines after the case, whatever happened; results not compared. */
  cleanup?: string[][];
}

const step = (args: string[], stdout: StdoutMode = 'exact', stderr = true): Step => ({
  args,
  stdout,
  stderr,
});
const run = ['run', '--network', 'none'];
const keep = (name: string) => [...run, '-d', '--name', name, '{image}', 'sleep', '300'];

export const MATRIX: Case[] = [
  {
    id: 'version-info',
    steps: [
      step(['version', '--format', '{{json .Client}}'], 'keys'),
      step(['version', '--format', '{{json .Server}}'], 'keys'),
      step(['version', '--format', '{{.Server.APIVersion}}'], 'ignore'),
      step(['info', '--format', '{{json .}}'], 'keys'),
      step(['info', '--format', '{{.LoggingDriver}} {{.CgroupVersion}}']),
    ],
  },
  {
    id: 'images',
    steps: [
      step(['pull', '-q', '{image}']),
      step(['images', '--filter', 'reference={registry}/*/*'], 'table'),
      step(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']),
      step(['images', '-q', '--filter', 'dangling=true']),
      step([
        'images',
        '--digests',
        '--format',
        '{{.Repository}} {{.Digest}}',
        '--filter',
        'reference={registry}/*/*',
      ]),
      step(['image', 'inspect', '{image}'], 'keys'),
      step(['history', '{image}'], 'table'),
      step(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', '{image}']),
    ],
  },
  {
    id: 'tag-rmi',
    steps: [
      step(['tag', '{image}', 'diff/tagged:v1']),
      step(['images', '--format', '{{.Repository}}:{{.Tag}}', 'diff/tagged']),
      step(['rmi', 'diff/tagged:v1']),
      step(['rmi', 'diff/tagged:v1']),
      step(['rmi', '-f', 'diff/tagged:v1']),
    ],
  },
  {
    id: 'create-start-rm',
    steps: [
      step(['create', '--network', 'none', '--name', 'diff-c1', '--label', 'diff=yes', '{image}', 'true']),
      step(['ps', '-a', '--filter', 'name=diff-c1', '--format', '{{.Names}}|{{.Status}}|{{.Labels}}']),
      step(['start', 'diff-c1']),
      step(['wait', 'diff-c1']),
      step(['inspect', 'diff-c1'], 'keys'),
      step(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.Name}}', 'diff-c1']),
      step(['rm', 'diff-c1']),
    ],
    cleanup: [['rm', '-f', 'diff-c1']],
  },
  {
    id: 'run-detached',
    steps: [
      step(keep('diff-r1')),
      step(['ps', '--filter', 'name=diff-r1'], 'table'),
      step([
        'ps',
        '--filter',
        'status=running',
        '--filter',
        'name=diff-r1',
        '--format',
        '{{.Names}}\t{{.Image}}\t{{.Command}}',
      ]),
      step(['ps', '--filter', 'name=diff-r1', '--format', 'table {{.Names}}\t{{.Status}}'], 'table'),
      step(['ps', '-q', '--filter', 'ancestor={image}']),
      step(['exec', 'diff-r1', 'echo', 'hi']),
      step(['exec', 'diff-r1', 'sh', '-c', 'echo to-err >&2; exit 3']),
      step(['exec', '-w', '/tmp', '-e', 'A=b', 'diff-r1', 'sh', '-c', 'echo $PWD $A']),
      step(['top', 'diff-r1'], 'table'),
      step(['stop', '-t', '1', 'diff-r1']),
      step([
        'ps',
        '-a',
        '--filter',
        'status=exited',
        '--filter',
        'name=diff-r1',
        '--format',
        '{{.Names}} {{.Status}}',
      ]),
      step(['exec', 'diff-r1', 'true']),
      step(['rm', 'diff-r1']),
    ],
    cleanup: [['rm', '-f', 'diff-r1']],
  },
  {
    id: 'run-foreground',
    steps: [
      step([...run, '--rm', '{image}', 'echo', 'hello']),
      step([...run, '--rm', '{image}', 'sh', '-c', 'echo out; echo err >&2; exit 7']),
      step([...run, '--rm', '-h', 'diffhost', '{image}', 'hostname']),
      step([
        ...run,
        '--rm',
        '-e',
        'X=1',
        '-w',
        '/tmp',
        '-u',
        '65534',
        '{image}',
        'sh',
        '-c',
        'echo $X $PWD; id -u',
      ]),
    ],
  },
  {
    id: 'logs',
    steps: [
      step([...run, '-d', '--name', 'diff-l1', '{image}', 'sh', '-c', 'echo one; echo two >&2; echo three']),
      step(['wait', 'diff-l1']),
      step(['logs', 'diff-l1']),
      // stdout and stderr are separate pipes: which of two lines on different streams was written
      // last is a race in both engines, so --tail reads a container writing to one stream only.
      step([...run, '-d', '--name', 'diff-l2', '{image}', 'sh', '-c', 'echo one; echo two; echo three']),
      step(['wait', 'diff-l2']),
      step(['logs', '--tail', '2', 'diff-l2']),
      step(['logs', '-t', 'diff-l1']),
      step(['inspect', '--format', '{{.HostConfig.LogConfig.Type}}', 'diff-l1']),
      step(['rm', 'diff-l1', 'diff-l2']),
    ],
    cleanup: [['rm', '-f', 'diff-l1', 'diff-l2']],
  },
  {
    id: 'log-driver-none',
    steps: [
      step([...run, '--log-driver', 'none', '--name', 'diff-ln', '{image}', 'echo', 'shown']),
      step(['logs', 'diff-ln']),
      step(['inspect', '--format', '{{.HostConfig.LogConfig.Type}}', 'diff-ln']),
      step(['rm', 'diff-ln']),
    ],
    cleanup: [['rm', '-f', 'diff-ln']],
  },
  {
    id: 'log-driver-local',
    steps: [
      step([...run, '--log-driver', 'local', '--name', 'diff-lo', '{image}', 'echo', 'kept']),
      step(['logs', 'diff-lo']),
      step(['inspect', '--format', '{{.HostConfig.LogConfig.Type}}', 'diff-lo']),
      step(['rm', 'diff-lo']),
    ],
    cleanup: [['rm', '-f', 'diff-lo']],
  },
  {
    id: 'volumes',
    steps: [
      step(['volume', 'create', '--label', 'diff=yes', 'diff-v1']),
      step(['volume', 'ls', '--filter', 'name=diff-v1'], 'table'),
      step(['volume', 'ls', '-q', '--filter', 'label=diff=yes']),
      step(['volume', 'inspect', 'diff-v1'], 'keys'),
      step([...run, '--rm', '-v', 'diff-v1:/data', '{image}', 'sh', '-c', 'echo kept > /data/f']),
      step([...run, '--rm', '-v', 'diff-v1:/data', '{image}', 'cat', '/data/f']),
      step(['volume', 'rm', 'diff-v1']),
      step(['volume', 'rm', 'diff-v1']),
    ],
    cleanup: [['volume', 'rm', '-f', 'diff-v1']],
  },
  {
    id: 'networks',
    steps: [
      step(['network', 'create', '--label', 'diff=yes', 'diff-n1']),
      step(['network', 'ls', '--filter', 'name=diff-n1', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']),
      step(['network', 'ls', '--filter', 'name=diff-n1'], 'table'),
      step(['network', 'inspect', 'diff-n1'], 'keys'),
      step(['network', 'rm', 'diff-n1']),
      step(['network', 'rm', 'diff-n1']),
    ],
    cleanup: [['network', 'rm', 'diff-n1']],
  },
  {
    id: 'save-load',
    steps: [
      step(['tag', '{image}', 'diff/saved:v1']),
      step(['save', '-o', '{tmp}/saved.tar', 'diff/saved:v1']),
      step(['rmi', 'diff/saved:v1']),
      step(['load', '-i', '{tmp}/saved.tar']),
      step(['images', '--format', '{{.Repository}}:{{.Tag}}', 'diff/saved']),
      step(['rmi', 'diff/saved:v1']),
    ],
    cleanup: [['rmi', '-f', 'diff/saved:v1']],
  },
  {
    id: 'events',
    steps: [
      step([...run, '--name', 'diff-e1', '{image}', 'true']),
      step(['rm', 'diff-e1']),
      step([
        'events',
        '--since',
        '{since}',
        '--until',
        '{now}',
        '--filter',
        'container=diff-e1',
        '--format',
        '{{.Type}} {{.Action}}',
      ]),
      step([
        'events',
        '--since',
        '{since}',
        '--until',
        '{now}',
        '--filter',
        'event=destroy',
        '--format',
        '{{.Actor.Attributes.name}}',
      ]),
      step(
        [
          'events',
          '--since',
          '{since}',
          '--until',
          '{now}',
          '--filter',
          'container=diff-e1',
          '--filter',
          'event=die',
          '--format',
          '{{json .}}',
        ],
        'keys',
      ),
    ],
    cleanup: [['rm', '-f', 'diff-e1']],
  },
  {
    id: 'errors',
    steps: [
      step(['ps', '--bogus']),
      step(['images', '-Z']),
      step(['run', '--memory', 'lots', '{image}']),
      step(['stop', '-t', 'soon', 'diff-missing']),
      step(['inspect', 'diff-missing']),
      step(['start', 'diff-missing']),
      step(['stop', 'diff-missing']),
      step(['logs', 'diff-missing']),
      step(['exec', 'diff-missing', 'true']),
      step(['rm', 'diff-missing']),
      step(['rm', '-f', 'diff-missing']),
      step(['rmi', 'diff/missing:v1']),
      step(['volume', 'inspect', 'diff-missing']),
      step(['network', 'inspect', 'diff-missing']),
      step(['pull', '{registry}/diff/missing:v1']),
      step(['rm']),
      step(['frobnicate']),
    ],
  },
  {
    id: 'ipc-shm',
    steps: [
      step([
        ...run,
        '-d',
        '--name',
        'diff-ipc1',
        '--ipc',
        'shareable',
        '--shm-size',
        '8m',
        '{image}',
        'sleep',
        '300',
      ]),
      step(['exec', 'diff-ipc1', 'sh', '-c', 'echo shared > /dev/shm/f']),
      step([
        ...run,
        '--rm',
        '--ipc',
        'container:diff-ipc1',
        '{image}',
        'sh',
        '-c',
        "cat /dev/shm/f; df -k /dev/shm | awk 'NR==2{print $2}'",
      ]),
      step([
        ...run,
        '--rm',
        '--ipc',
        'private',
        '--shm-size',
        '16m',
        '{image}',
        'sh',
        '-c',
        "ls /dev/shm | wc -l; df -k /dev/shm | awk 'NR==2{print $2}'",
      ]),
      step([...run, '--rm', '--ipc', 'none', '{image}', 'grep', '-c', ' /dev/shm ', '/proc/mounts']),
      step(['inspect', '--format', '{{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}}', 'diff-ipc1']),
      step(['rm', '-f', 'diff-ipc1']),
    ],
    cleanup: [['rm', '-f', 'diff-ipc1']],
  },
  {
    id: 'volume-opts',
    steps: [
      step([
        ...run,
        '--rm',
        '--mount',
        'type=volume,src=diff-vt,dst=/data,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m',
        '{image}',
        'sh',
        '-c',
        "grep -c ' /data tmpfs ' /proc/mounts; df -k /data | awk 'NR==2{print $2}'",
      ]),
      step([
        'volume',
        'inspect',
        '--format',
        '{{.Options.type}} {{.Options.device}} {{.Options.o}}',
        'diff-vt',
      ]),
      step([
        ...run,
        '--rm',
        '--mount',
        'type=volume,src=diff-vn,dst=/etc,volume-nocopy',
        '{image}',
        'sh',
        '-c',
        'test -e /etc/passwd && echo copied || echo empty',
      ]),
      step(['volume', 'rm', 'diff-vt', 'diff-vn']),
    ],
    cleanup: [['volume', 'rm', '-f', 'diff-vt', 'diff-vn']],
  },
  {
    id: 'top',
    steps: [
      step(keep('diff-top1')),
      step(['top', 'diff-top1', '-o', 'pid,comm'], 'table'),
      step(['top', 'diff-top1', 'aux'], 'table'),
      step(['top', 'diff-top1', '-o', 'user=PID']),
      step(['rm', '-f', 'diff-top1']),
    ],
    cleanup: [['rm', '-f', 'diff-top1']],
  },
  {
    id: 'image-in-use',
    steps: [
      step(['tag', '{image}', 'diff/used:v1']),
      step([...run, '-d', '--name', 'diff-u1', 'diff/used:v1', 'sleep', '300']),
      step(['rmi', 'diff/used:v1']),
      step(['rmi', '-f', 'diff/used:v1']),
      step(['stop', '-t', '0', 'diff-u1']),
      step(['start', 'diff-u1']),
      step(['rm', '-f', 'diff-u1']),
    ],
    cleanup: [
      ['rm', '-f', 'diff-u1'],
      ['rmi', '-f', 'diff/used:v1'],
    ],
  },
];
