import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A network namespace standing in for another machine: a veth pair to the host on a /30 of its
 * own (10.<second>.<random>.0/30). tearDown() removes both.
 */
export class TestNetns {
  readonly name = `sdtns${randomBytes(3).toString('hex')}`;
  readonly hostSide = `sdr${randomBytes(3).toString('hex')}`;
  readonly hostAddress: string;
  readonly address: string;

  constructor(second = 99) {
    const third = Math.floor(Math.random() * 250);
    this.hostAddress = `10.${second}.${third}.1`;
    this.address = `10.${second}.${third}.2`;
  }

  setUp(): void {
    const steps: string[][] = [
      ['netns', 'add', this.name],
      ['link', 'add', this.hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.name],
      ['addr', 'add', `${this.hostAddress}/30`, 'dev', this.hostSide],
      ['link', 'set', this.hostSide, 'up'],
      ['-n', this.name, 'addr', 'add', `${this.address}/30`, 'dev', 'eth0'],
      ['-n', this.name, 'link', 'set', 'eth0', 'up'],
      ['-n', this.name, 'link', 'set', 'lo', 'up'],
      ['-n', this.name, 'route', 'add', 'default', 'via', this.hostAddress],
    ];
    for (const step of steps) {
      const result = spawnSync('ip', step, { encoding: 'utf8' });
      assert.equal(result.status, 0, `ip ${step.join(' ')}: ${result.stderr}`);
    }
  }

  tearDown(): void {
    spawnSync('ip', ['link', 'del', this.hostSide]);
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
