import type { PublishedPort } from '@stevedore/shared';

/** One iptables rule in iptables-restore syntax (the part after `-A CHAIN`). */
export interface Rule {
  table: 'nat' | 'filter';
  chain: string;
  spec: string;
  /** Insert at the top of the chain instead of appending. */
  top?: boolean;
}

/** The chains one agent owns; the suffix keeps agents with different data-roots apart. */
export interface AgentChains {
  /** nat: DNAT for published ports, jumped to for traffic addressed to this host. */
  dnat: string;
  /** nat: MASQUERADE for traffic leaving the subnets and for hairpins. */
  postrouting: string;
  /** filter: what may cross the bridges. */
  forward: string;
}

export function agentChains(suffix: string): AgentChains {
  return {
    dnat: `STEVEDORE-${suffix}`,
    postrouting: `STEVEDORE-POST-${suffix}`,
    forward: `STEVEDORE-FWD-${suffix}`,
  };
}

/** The one jump per built-in chain into the agent's chains. */
export function jumpRules(chains: AgentChains): Rule[] {
  return [
    { table: 'nat', chain: 'PREROUTING', spec: `-m addrtype --dst-type LOCAL -j ${chains.dnat}` },
    { table: 'nat', chain: 'OUTPUT', spec: `-m addrtype --dst-type LOCAL -j ${chains.dnat}` },
    { table: 'nat', chain: 'POSTROUTING', spec: `-j ${chains.postrouting}` },
    { table: 'filter', chain: 'FORWARD', spec: `-j ${chains.forward}`, top: true },
  ];
}

export interface BridgeNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
}

/**
 * Per network: members talk to each other; replies and published ports come in; nothing else
 * enters (so networks are isolated from each other); traffic out is masqueraded, except on
 * internal networks, which cannot leave the bridge at all. The `-o` rules go to the top so every
 * network's isolation comes before any network's "may leave" rule.
 */
export function networkRules(chains: AgentChains, network: BridgeNetwork): Rule[] {
  const { bridge, subnet } = network;
  const forward = (spec: string, top = false): Rule => ({
    table: 'filter',
    chain: chains.forward,
    spec,
    top,
  });
  const entering = network.internal
    ? [`-i ${bridge} -o ${bridge} -j ACCEPT`, `-o ${bridge} -j DROP`]
    : [
        `-o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
        `-i ${bridge} -o ${bridge} -j ACCEPT`,
        `-o ${bridge} -m conntrack --ctstate DNAT -j ACCEPT`,
        `-o ${bridge} -j DROP`,
      ];
  const rules = entering.reverse().map((spec) => forward(spec, true));
  rules.push(forward(network.internal ? `-i ${bridge} -j DROP` : `-i ${bridge} ! -o ${bridge} -j ACCEPT`));
  const post = (spec: string): Rule => ({ table: 'nat', chain: chains.postrouting, spec });
  // Connections from the host itself (127.0.0.1 included) to a container get the bridge address.
  rules.push(post(`-o ${bridge} -m addrtype --src-type LOCAL -j MASQUERADE`));
  if (!network.internal) rules.push(post(`-s ${subnet} ! -o ${bridge} -j MASQUERADE`));
  return rules;
}

/** DNAT for each published port, and the hairpin for a container reaching its own port. */
export function portRules(chains: AgentChains, containerIp: string, ports: readonly PublishedPort[]): Rule[] {
  return ports.flatMap((port) => {
    const destination = port.HostIp === '0.0.0.0' ? '' : `-d ${port.HostIp}/32 `;
    return [
      {
        table: 'nat',
        chain: chains.dnat,
        spec: `${destination}-p ${port.Protocol} -m ${port.Protocol} --dport ${port.HostPort} -j DNAT --to-destination ${containerIp}:${port.ContainerPort}`,
      },
      {
        table: 'nat',
        chain: chains.postrouting,
        spec: `-s ${containerIp}/32 -d ${containerIp}/32 -p ${port.Protocol} -m ${port.Protocol} --dport ${port.ContainerPort} -j MASQUERADE`,
      },
    ] satisfies Rule[];
  });
}

/** An iptables-restore script (for `--noflush`) that adds or deletes `rules`, one COMMIT per table. */
export function restoreScript(
  action: 'add' | 'delete',
  rules: readonly Rule[],
  /** Chains to create, or to empty when they exist. */
  declare: readonly { table: Rule['table']; chain: string }[] = [],
  /** Lines run after the rules, per table (e.g. `-X CHAIN`). */
  trailer: readonly { table: Rule['table']; line: string }[] = [],
): string {
  const tables: Rule['table'][] = ['nat', 'filter'];
  let script = '';
  for (const table of tables) {
    const declared = declare.filter((d) => d.table === table);
    const lines = rules
      .filter((rule) => rule.table === table)
      .map((rule) => {
        if (action === 'delete') return `-D ${rule.chain} ${rule.spec}`;
        return rule.top ? `-I ${rule.chain} 1 ${rule.spec}` : `-A ${rule.chain} ${rule.spec}`;
      });
    const after = trailer.filter((t) => t.table === table).map((t) => t.line);
    if (declared.length + lines.length + after.length === 0) continue;
    script += `*${table}\n${declared.map((d) => `:${d.chain} - [0:0]\n`).join('')}${lines.map((l) => `${l}\n`).join('')}${after.map((l) => `${l}\n`).join('')}COMMIT\n`;
  }
  return script;
}
