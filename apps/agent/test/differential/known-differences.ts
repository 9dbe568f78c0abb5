/**
 * The ONE reviewed list of differences between Stevedore and Docker Engine 20.10 that the
 * differential suite accepts. Every entry says why. Anything not matched here fails the suite.
 * Every entry is a deliberate design difference; a gap still to close is not listed here but
 * fails the suite until fixed. When an entry is no longer seen the suite says so (remove it then).
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

const onlyInDocker = (...paths: string[]) => paths.map((path) => `only in docker: ${path}`);
const onlyInStevedore = (...paths: string[]) => paths.map((path) => `only in stevedore: ${path}`);
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
      ...onlyInDocker(
        '.Components[].Details.GoVersion',
        '.Components[].Details.BuildTime',
        '.Components[].Details.Experimental',
        '.Components[].Details.MinAPIVersion',
      ),
      ...onlyInStevedore('.NodeVersion', '.Components[].Details.NodeVersion'),
    ],
    reason:
      'Stevedore is a Node program, not a Go one: it reports its Node version instead of Go build details.',
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
  // ---- containers
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
      /^docker "invalid argument \\"lots\\" for \\"-m, --memory\\" flag: invalid size: 'lots'\\nSee 'CLI run --help'\.\\n", stevedore "invalid argument \\"lots\\" for \\"-m, --memory\\" flag: invalid size \\"lots\\": use a number with an optional unit [^"]*\\nSee 'CLI run --help'\.\\n"$/,
    ],
    reason:
      'Same flag, value and help line; after "flag:" Stevedore says what a valid size looks like where Docker only repeats the value.',
  },
  {
    where: 'errors#4',
    aspect: 'stderr',
    details: [
      /^docker "invalid argument \\"soon\\" for \\"-t, --time\\" flag: strconv\.ParseInt: parsing \\"soon\\": invalid syntax\\nSee 'CLI stop --help'\.\\n", stevedore "invalid argument \\"soon\\" for \\"-t, --time\\" flag: must be an integer\\nSee 'CLI stop --help'\.\\n"$/,
    ],
    reason: 'Docker leaks Go\'s "strconv.ParseInt: parsing" text; Stevedore says "must be an integer".',
  },
  {
    where: 'errors#23',
    aspect: 'stderr',
    details: [
      /^docker "invalid argument \\"abc\\" for \\"--cpus\\" flag: failed to parse abc as a rational number\\nSee 'CLI run --help'\.\\n", stevedore "invalid argument \\"abc\\" for \\"--cpus\\" flag: invalid CPU count \\"abc\\": use a decimal number [^"]*\\nSee 'CLI run --help'\.\\n"$/,
    ],
    reason: 'Same flag, value and help line; after "flag:" Stevedore says what a valid CPU count looks like.',
  },
  {
    where: 'errors#24',
    aspect: 'stderr',
    details: [
      /^docker "invalid argument \\"maybe\\" for \\"-d, --detach\\" flag: strconv\.ParseBool: parsing \\"maybe\\": invalid syntax\\nSee 'CLI run --help'\.\\n", stevedore "invalid argument \\"maybe\\" for \\"-d, --detach\\" flag: must be true or false\\nSee 'CLI run --help'\.\\n"$/,
    ],
    reason: 'Docker leaks Go\'s "strconv.ParseBool: parsing" text; Stevedore says "must be true or false".',
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
