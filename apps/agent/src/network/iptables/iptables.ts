import { StevedoreError } from '@stevedore/shared';
import { execFile } from '../../util/exec.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import { type AgentChains, jumpRules, type Rule, restoreScript } from './rules.js';

/**
 * Applies rule sets with `iptables-restore --noflush`, so each set appears (or goes) atomically
 * and other software's rules are never touched. The backend is the system's `iptables`
 * alternative (nft on Debian 12) unless STEVEDORE_IPTABLES names `nft` or `legacy`.
 */
export class Iptables {
  private readonly lock = new KeyedLock();
  private readonly prefix: string;

  constructor(readonly chains: AgentChains) {
    const backend = process.env.STEVEDORE_IPTABLES;
    this.prefix = backend === 'nft' || backend === 'legacy' ? `iptables-${backend}` : 'iptables';
  }

  add(rules: readonly Rule[]): Promise<void> {
    return this.restore(restoreScript('add', rules), 'adding');
  }

  delete(rules: readonly Rule[]): Promise<void> {
    return this.restore(restoreScript('delete', rules), 'deleting');
  }

  /**
   * Recreates the agent's chains with exactly `rules` in them, adding the jumps from the built-in
   * chains only where they are missing: safe to run at every start.
   */
  async reset(rules: readonly Rule[]): Promise<void> {
    const saved = await this.save();
    const missingJumps = jumpRules(this.chains).filter(
      (jump) => !saved.includes(`-A ${jump.chain} ${jump.spec}`),
    );
    await this.restore(restoreScript('add', [...missingJumps, ...rules], this.declarations()), 'setting up');
  }

  /** Removes the jumps and the agent's chains (`stevedore-agent --cleanup`). */
  async removeAll(): Promise<void> {
    const saved = await this.save();
    const ours = Object.values(this.chains);
    const jumps = saved
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) /.test(line))
      .filter((line) => ours.some((chain) => line.endsWith(`-j ${chain}`)))
      .map((line) => ({ line, table: tableOfLine(saved, line) }));
    const existing = this.declarations().filter((d) => saved.includes(`:${d.chain} `));
    const rules: Rule[] = jumps.map(({ line, table }) => {
      const [, chain = '', spec = ''] = /^-A (\S+) (.*)$/.exec(line) ?? [];
      return { table, chain, spec };
    });
    const trailer = existing.flatMap((d) => [
      { table: d.table, line: `-F ${d.chain}` },
      { table: d.table, line: `-X ${d.chain}` },
    ]);
    const script = restoreScript('delete', rules, [], trailer);
    if (script !== '') await this.restore(script, 'removing');
  }

  private declarations(): { table: Rule['table']; chain: string }[] {
    return [
      { table: 'nat', chain: this.chains.dnat },
      { table: 'nat', chain: this.chains.postrouting },
      { table: 'filter', chain: this.chains.forward },
    ];
  }

  private async save(): Promise<string> {
    const result = await execFile(`${this.prefix}-save`, []);
    if (result.code !== 0) {
      throw new StevedoreError('FAILED_PRECONDITION', `${this.prefix}-save failed: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  private restore(script: string, what: string): Promise<void> {
    if (script === '') return Promise.resolve();
    return this.lock.run('iptables', async () => {
      const result = await execFile(`${this.prefix}-restore`, ['--noflush', '--wait', '10'], {
        input: script,
      });
      if (result.code !== 0) {
        throw new StevedoreError(
          result.code === 127 ? 'FAILED_PRECONDITION' : 'INTERNAL',
          `${what} iptables rules failed: ${result.stderr.trim() || `exit code ${result.code}`}${result.code === 127 ? ' (install the Debian package "iptables", or start the agent with --iptables=false)' : ''}`,
          { script },
        );
      }
    });
  }
}

/** The `*table` section of iptables-save output a line belongs to. */
function tableOfLine(saved: string, line: string): Rule['table'] {
  const before = saved.slice(0, saved.indexOf(line));
  const table = before.lastIndexOf('*nat') > before.lastIndexOf('*filter') ? 'nat' : 'filter';
  return table;
}
