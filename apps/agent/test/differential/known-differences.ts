/**
 * The ONE reviewed list of differences between Stevedore and Docker Engine 20.10 that the
 * differential suite accepts. Every entry says why. Anything not matched here fails the suite.
 * "not yet: issue 17" marks a gap issue 17 still has to close — never a data-loss bug: those stay
 * failures until fixed. When an entry is no longer seen the suite says so (remove it then).
 */
import type { Difference } from './compare.js';

export interface KnownDifference {
  /** "case" (any of its steps) or "case#step" (steps count from 1). */
  where: string;
  aspect: Difference['aspect'];
  /** Difference details this entry explains: equal to a string, or matching a RegExp. */
  details: (string | RegExp)[];
  reason: string;
}

const NOT_YET = 'not yet: issue 17';
const onlyInDocker = (...paths: string[]) => paths.map((path) => `only in docker: ${path}`);
const onlyInStevedore = (...paths: string[]) => paths.map((path) => `only in stevedore: ${path}`);
const nullInDocker = (path: string, stevedore: string) =>
  `type of ${path}: docker null, stevedore ${stevedore}`;
/** A key and every key below it. */
const subtree = (side: 'docker' | 'stevedore', path: string) =>
  new RegExp(`^only in ${side}: ${path.replace(/[.[\]]/g, '\\$&')}([.[].*)?$`);

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  // ---- version / info
  {
    where: 'version-info',
    aspect: 'keys',
    details: [
      ...onlyInDocker('.GoVersion', '.BuildTime', '.Experimental', '.MinAPIVersion', '.DefaultAPIVersion'),
      ...onlyInStevedore('.NodeVersion'),
    ],
    reason:
      'Stevedore is a Node program, not a Go one: it reports its Node version instead of Go build details.',
  },
  {
    where: 'version-info',
    aspect: 'keys',
    details: [subtree('docker', '.Platform'), subtree('docker', '.Components'), ...onlyInDocker('.Context')],
    reason: `${NOT_YET} (version's Platform, Components and the client's Context; APIVersion below).`,
  },
  {
    where: 'version-info#3',
    aspect: 'exit',
    details: ['docker 0, stevedore 1'],
    reason: `${NOT_YET}: version {{.Server.APIVersion}} (parity-flags' area).`,
  },
  {
    where: 'version-info#3',
    aspect: 'stderr',
    details: [/can't evaluate field APIVersion/],
    reason: `${NOT_YET}: version {{.Server.APIVersion}}.`,
  },
  {
    where: 'version-info#4',
    aspect: 'keys',
    details: [
      subtree('docker', '.Swarm'),
      subtree('docker', '.Plugins'),
      subtree('docker', '.ContainerdCommit'),
      subtree('docker', '.InitCommit'),
      subtree('docker', '.RuncCommit'),
      /^only in docker: \.Runtimes\.io\.containerd\./,
      ...onlyInDocker('.NGoroutines', '.NEventsListener', '.ExperimentalBuild', '.Isolation', '.InitBinary'),
      ...onlyInDocker('.GenericResources', '.NFd', '.Debug'),
      ...onlyInStevedore(
        '.Runtimes.runc.version',
        '.ExecRoot',
        '.IPTables',
        '.RegistryConfig.InsecureRegistries',
      ),
    ],
    reason:
      'No Swarm, no plugins, no containerd (runc through conmon), no Go runtime counters; Stevedore adds its exec-root, runc version, iptables state and insecure registries.',
  },
  {
    where: 'version-info#4',
    aspect: 'keys',
    details: [
      ...onlyInDocker(
        '.LoggingDriver',
        '.SecurityOptions',
        '.SecurityOptions[]',
        '.OSVersion',
        '.IndexServerAddress',
      ),
      ...onlyInDocker('.MemoryLimit', '.SwapLimit', '.KernelMemory', '.KernelMemoryTCP', '.CpuCfsPeriod'),
      ...onlyInDocker(
        '.CpuCfsQuota',
        '.CPUShares',
        '.CPUSet',
        '.PidsLimit',
        '.OomKillDisable',
        '.IPv4Forwarding',
      ),
      ...onlyInDocker(
        '.BridgeNfIptables',
        '.BridgeNfIp6tables',
        '.HttpProxy',
        '.HttpsProxy',
        '.NoProxy',
        '.Labels',
      ),
      subtree('docker', '.DefaultAddressPools'),
      subtree('docker', '.ClientInfo'),
      subtree('docker', '.RegistryConfig.IndexConfigs'),
      /^only in docker: \.RegistryConfig\.AllowNondistributableArtifacts/,
      nullInDocker('.Warnings', 'array'),
    ],
    reason: `${NOT_YET}: info's keys (parity-flags' area).`,
  },
  {
    where: 'version-info#5',
    aspect: 'stdout',
    details: ['docker "json-file 1\\n", stevedore "k8s-file 1\\n"'],
    reason:
      "Stevedore's default log format is conmon's k8s-file (docs/LOGS.md says why not json-file); info's LoggingDriver says so.",
  },
  // ---- images
  {
    where: 'images#2',
    aspect: 'stdout',
    details: [/^row 1: docker \[.*"N\/A",.*\], stevedore \[.*"<DURATION> ago",.*\]$/],
    reason:
      'The test image has no creation time in its config: Docker prints N/A, Stevedore the time of the history entry. Harmless.',
  },
  {
    where: 'images#6',
    aspect: 'keys',
    details: [
      ...onlyInDocker(
        '[].Parent',
        '[].Comment',
        '[].Author',
        '[].VirtualSize',
        '[].Container',
        '[].DockerVersion',
      ),
      subtree('docker', '[].ContainerConfig'),
      subtree('docker', '[].GraphDriver'),
      subtree('docker', '[].Metadata'),
      /^only in docker: \[\]\.Config\.(Hostname|Domainname|User|AttachStd(in|out|err)|Tty|OpenStdin|StdinOnce|Image|Volumes|WorkingDir|Entrypoint|OnBuild|Labels)$/,
    ],
    reason: `${NOT_YET}: image inspect keys (Author, Comment, Parent, GraphDriver… — parity-flags' area).`,
  },
  {
    where: 'tag-rmi#2',
    aspect: 'stdout',
    details: [/^docker "diff\/tagged:v1\\n", stevedore ".*diff\/busybox:v1\\ndiff\/tagged:v1\\n"$/],
    reason: `${NOT_YET}: \`images REPOSITORY\` also lists the image's other tags.`,
  },
  {
    where: 'save-load#5',
    aspect: 'stdout',
    details: [/^docker "diff\/saved:v1\\n", stevedore ".*diff\/busybox:v1\\ndiff\/saved:v1\\n"$/],
    reason: `${NOT_YET}: \`images REPOSITORY\` also lists the image's other tags.`,
  },
  // ---- containers
  {
    where: 'create-start-rm#5',
    aspect: 'keys',
    details: [
      ...onlyInDocker('[].MountLabel', '[].ProcessLabel', '[].AppArmorProfile', '[].ExecIDs'),
      /^only in docker: \[\]\.HostConfig\.(ContainerIDFile|VolumeDriver|VolumesFrom|CgroupnsMode|Dns|DnsOptions|DnsSearch|ExtraHosts|GroupAdd|IpcMode|Cgroup|Links|OomScoreAdj|PidMode|UTSMode|UsernsMode|Runtime|ConsoleSize|ConsoleSize\[\]|Isolation|CgroupParent|BlkioWeightDevice|BlkioDeviceReadIOps|BlkioDeviceWriteIOps|CpuRealtimePeriod|CpuRealtimeRuntime|Devices|DeviceCgroupRules|DeviceRequests|KernelMemory|KernelMemoryTCP|MemorySwappiness|CpuCount|CpuPercent|IOMaximumIOps|IOMaximumBandwidth|MaskedPaths|MaskedPaths\[\]|ReadonlyPaths|ReadonlyPaths\[\])$/,
      /^type of \[\]\.HostConfig\.(Binds|CapAdd|CapDrop|SecurityOpt|BlkioDeviceReadBps|BlkioDeviceWriteBps|Ulimits): docker null, stevedore array$/,
      /^only in docker: \[\]\.Config\.(AttachStd(in|out|err)|StdinOnce|OnBuild)$/,
      nullInDocker('[].Config.Volumes', 'object'),
      /^only in docker: \[\]\.NetworkSettings\.(Bridge|SandboxID|HairpinMode|LinkLocalIPv6Address|LinkLocalIPv6PrefixLen|SecondaryIPAddresses|SecondaryIPv6Addresses|EndpointID|GlobalIPv6Address|GlobalIPv6PrefixLen|IPv6Gateway)$/,
      /^only in docker: \[\]\.NetworkSettings\.Networks\.none\.(Links|IPv6Gateway|GlobalIPv6Address|GlobalIPv6PrefixLen|DriverOpts)$/,
      nullInDocker('[].NetworkSettings.Networks.none.Aliases', 'array'),
      ...onlyInStevedore('[].HostConfig.Tmpfs', '[].HostConfig.Init', '[].Config.ExposedPorts'),
      ...onlyInStevedore('[].HostConfig.Mounts', '[].HostConfig.Sysctls'),
      nullInDocker('[].HostConfig.ExtraHosts', 'array'),
      nullInDocker('[].HostConfig.GroupAdd', 'array'),
      nullInDocker('[].HostConfig.VolumesFrom', 'array'),
    ],
    reason: `${NOT_YET}: container inspect keys and nulls (parity-flags' area).`,
  },
  {
    where: 'run-detached#9',
    aspect: 'stdout',
    details: [/^row 1: docker \["root","\d+","\d+",/],
    reason:
      "top's rows are host processes: their pids (and CPU share) are the host's, never equal between two engines. The header is compared.",
  },
  {
    where: 'top',
    aspect: 'stdout',
    details: [
      /^row 1: docker \["\d+","sleep"\], stevedore \["\d+","sleep"\]$/,
      /^row 1: docker \["root","\d+",/,
    ],
    reason:
      "top's rows are host processes: their pids, CPU share and RSS are the host's, never equal between two engines. The header is compared.",
  },
  // ---- logs
  {
    where: 'logs#8',
    aspect: 'stdout',
    details: ['docker "json-file\\n", stevedore "k8s-file\\n"'],
    reason:
      "Stevedore's default log format is conmon's k8s-file (docs/LOGS.md says why not json-file); `--log-driver json-file` and `local` are accepted.",
  },
  // ---- volumes and networks
  {
    where: 'volumes#8',
    aspect: 'stderr',
    details: [
      /^docker "Error: No such volume: diff-v1\\n", stevedore "Error response from daemon: .*no such volume\\n"$/,
    ],
    reason: `${NOT_YET}: the wording of a missing volume.`,
  },
  {
    where: 'errors#13',
    aspect: 'stderr',
    details: [
      /^docker "Error: No such volume: diff-missing\\n", stevedore "Error response from daemon: .*no such volume\\n"$/,
    ],
    reason: `${NOT_YET}: the wording of a missing volume.`,
  },
  {
    where: 'networks#6',
    aspect: 'stderr',
    details: [
      /^docker "Error: No such network: diff-n1\\n", stevedore "Error response from daemon: network diff-n1 not found\\n"$/,
    ],
    reason: `${NOT_YET}: the wording of a missing network.`,
  },
  {
    where: 'errors#14',
    aspect: 'stderr',
    details: [
      /^docker "Error: No such network: diff-missing\\n", stevedore "Error response from daemon: network diff-missing not found\\n"$/,
    ],
    reason: `${NOT_YET}: the wording of a missing network.`,
  },
  {
    where: 'networks#4',
    aspect: 'keys',
    details: [
      ...onlyInDocker('[].IPAM.Options', '[].Attachable', '[].Ingress', '[].ConfigOnly'),
      subtree('docker', '[].ConfigFrom'),
    ],
    reason:
      'Swarm-only network keys (Attachable, Ingress, ConfigFrom, ConfigOnly) and IPAM options: no Swarm, no IPAM plugins.',
  },
  {
    where: 'networks#4',
    aspect: 'keys',
    details: onlyInStevedore('[].Options.com.docker.network.bridge.name'),
    reason:
      'Stevedore names the bridge of every network in its options (Docker only when asked): shown so users can find it.',
  },
  // ---- error messages
  {
    where: 'errors#3',
    aspect: 'stderr',
    details: [
      /^docker "invalid argument \\"lots\\" for \\"-m, --memory\\" flag: invalid size: 'lots'\\nSee 'CLI run --help'\.\\n"/,
    ],
    reason: `${NOT_YET}: flag errors name the short form (-m, --memory), keep Docker's wording and end with the "See --help" line.`,
  },
  {
    where: 'errors#4',
    aspect: 'stderr',
    details: [/^docker "invalid argument \\"soon\\" for \\"-t, --time\\" flag: strconv\.ParseInt/],
    reason:
      'Docker leaks Go\'s "strconv.ParseInt: parsing" text; Stevedore says "must be an integer". Missing "See --help" line: not yet: issue 17.',
  },
  {
    where: 'errors#6',
    aspect: 'stderr',
    details: [
      'docker "Error response from daemon: No such container: diff-missing\\nError: failed to start containers: diff-missing\\n", stevedore "Error response from daemon: No such container: diff-missing\\n"',
    ],
    reason: `${NOT_YET}: start's closing "failed to start containers" line.`,
  },
  {
    where: 'errors#15',
    aspect: 'stdout',
    details: [/^docker "", stevedore "v1: Pulling from .*diff\/missing\\n"$/],
    reason: `${NOT_YET}: pull prints "Pulling from" before it knows the manifest exists.`,
  },
  {
    where: 'errors#15',
    aspect: 'stderr',
    details: [
      /^docker "Error response from daemon: manifest for .*diff\/missing:v1 not found: manifest unknown: manifest unknown\\n", stevedore "Error response from daemon: manifest unknown: .*diff\/missing manifests\/v1\\n"$/,
    ],
    reason: `${NOT_YET}: the wording of a missing manifest.`,
  },
  {
    where: 'errors#17',
    aspect: 'stderr',
    details: [
      /^docker "CLI: 'frobnicate' is not a CLI command\.\\nSee 'CLI --help'\\n", stevedore .*'CLI --help'\.\\n"$/,
    ],
    reason: "Docker's own message lacks the closing full stop its other \"See '… --help'.\" lines have.",
  },
];

/** The entry that explains a difference, if any. */
export function knownEntryFor(difference: Difference): KnownDifference | undefined {
  const caseId = difference.where.split('#')[0];
  return KNOWN_DIFFERENCES.find(
    (entry) =>
      (entry.where === difference.where || entry.where === caseId) &&
      entry.aspect === difference.aspect &&
      entry.details.some((detail) =>
        typeof detail === 'string' ? detail === difference.detail : detail.test(difference.detail),
      ),
  );
}
