import {
  assertRepresentable,
  envFileLine,
  shellQuote,
  systemdExecArg,
  systemdExecutable,
  systemdPathSetting,
} from './quoting';

/** What the agent needs on the machine at run time (the bundle brings Node.js and the native modules). */
export const AGENT_RUNTIME_PACKAGES = [
  'runc',
  'conmon',
  'iptables',
  'iproute2',
  'openssl',
  'ca-certificates',
  'attr',
  'tini',
  'rsync',
];

export interface InstallLayout {
  /** Releases, the `current` link, agent.env, and (without systemd) agent.pid and agent.log. */
  installDir: string;
  /** Root prefix for commands: '' as root, 'sudo -n ' otherwise. */
  sudo: string;
}

export const UNIT_PATH = '/etc/systemd/system/stevedore-agent.service';

/** key=value facts about the machine, one per line. */
export const preflightScript = (installDir: string) => `
echo uid=$(id -u)
echo arch=$(uname -m)
if [ -r /etc/os-release ]; then . /etc/os-release; echo os="$ID $VERSION_ID"; fi
if command -v apt-get >/dev/null 2>&1; then echo apt=yes; else echo apt=no; fi
if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi
if [ "$(id -u)" != 0 ]; then if sudo -n true 2>/dev/null; then echo sudo=yes; else echo sudo=no; fi; fi
if [ -r ${shellQuote(`${installDir}/current/package.json`)} ]; then
  sed -n 's/.*"version": *"\\([^"]*\\)".*/installed=\\1/p' ${shellQuote(`${installDir}/current/package.json`)}
fi
if [ -r ${shellQuote(`${installDir}/agent.env`)} ]; then sed 's/^/env./' ${shellQuote(`${installDir}/agent.env`)}; fi
`;

export const missingPackagesScript = (packages: string[]) =>
  `for p in ${packages.map(shellQuote).join(' ')}; do dpkg-query -W -f='\${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || echo "$p"; done`;

export const aptInstallScript = (sudo: string, packages: string[]) =>
  `export DEBIAN_FRONTEND=noninteractive; ${sudo}apt-get update -q && ${sudo}apt-get install -y -q --no-install-recommends -- ${packages.map(shellQuote).join(' ')}`;

/** Unpacks the archive on stdin as a new release and switches `current` to it atomically. */
export const unpackScript = ({ installDir, sudo }: InstallLayout, release: string) => {
  const dir = shellQuote(`${installDir}/releases/${release}`);
  const root = shellQuote(installDir);
  return [
    'set -e',
    `${sudo}mkdir -p ${dir}`,
    `${sudo}tar -xzf - -C ${dir}`,
    `${sudo}ln -sfn ${dir} ${shellQuote(`${installDir}/current.new`)}`,
    `${sudo}mv -T ${shellQuote(`${installDir}/current.new`)} ${shellQuote(`${installDir}/current`)}`,
    // Keep the three newest releases (the current one among them) for a manual roll-back.
    `cd ${root}/releases && ls -1t | tail -n +4 | while read -r old; do ${sudo}rm -rf -- "$old"; done`,
  ].join('\n');
};

export interface AgentSettings {
  dataRoot: string;
  execRoot: string;
  socketPath: string;
}

/** agent.env: read by the unit's EnvironmentFile= and sourced by sh (without systemd); every value quoted. */
export const agentEnv = (settings: AgentSettings) =>
  `${[
    envFileLine('DATA_ROOT', settings.dataRoot),
    envFileLine('EXEC_ROOT', settings.execRoot),
    envFileLine('SOCKET', settings.socketPath),
  ].join('\n')}\n`;

export const systemdUnit = (installDir: string) => {
  const what = 'install directory';
  const program = systemdExecutable(what, `${installDir}/current/node`);
  return `[Unit]
Description=Stevedore agent (container engine)
Documentation=https://github.com/stevedore
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
EnvironmentFile=${systemdPathSetting('install directory', `${installDir}/agent.env`)}
ExecStart=${program} ${systemdExecArg(what, `${installDir}/current/agent.mjs`)} --data-root \${DATA_ROOT} --exec-root \${EXEC_ROOT} -H unix://\${SOCKET}
# Containers outlive a restart of the agent (conmon keeps them); only the agent itself is stopped.
KillMode=process
Restart=on-failure
RestartSec=2
LimitNOFILE=1048576
Delegate=yes

[Install]
WantedBy=multi-user.target
`;
};

/** Writes agent.env and starts (or restarts) the agent: with systemd when it runs, else detached. */
export function serviceScript(
  { installDir, sudo }: InstallLayout,
  settings: AgentSettings,
  systemd: boolean,
) {
  for (const [what, value] of [
    ['install directory', installDir],
    ['data root', settings.dataRoot],
    ['exec root', settings.execRoot],
    ['agent socket', settings.socketPath],
  ] as const) {
    assertRepresentable(what, value);
  }
  const root = shellQuote(installDir);
  const env = shellQuote(`${installDir}/agent.env`);
  const write = (path: string, content: string) =>
    `printf '%s' ${shellQuote(content)} | ${sudo}tee ${shellQuote(path)} >/dev/null`;
  const lines = ['set -e', write(`${installDir}/agent.env`, agentEnv(settings))];
  if (systemd) {
    lines.push(
      write(UNIT_PATH, systemdUnit(installDir)),
      `${sudo}systemctl daemon-reload`,
      `${sudo}systemctl enable stevedore-agent >/dev/null 2>&1`,
      `${sudo}systemctl stop stevedore-agent`,
      `${sudo}rm -f ${shellQuote(settings.socketPath)}`,
      `${sudo}systemctl start stevedore-agent`,
    );
  } else {
    const pid = shellQuote(`${installDir}/agent.pid`);
    lines.push(
      `if [ -f ${pid} ] && ${sudo}kill -0 "$(cat ${pid})" 2>/dev/null; then`,
      `  ${sudo}kill "$(cat ${pid})"`,
      `  for i in $(seq 1 60); do ${sudo}kill -0 "$(cat ${pid})" 2>/dev/null || break; sleep 0.25; done`,
      'fi',
      `${sudo}rm -f ${shellQuote(settings.socketPath)}`,
      `${sudo}sh -c '. "$1"; cd "$2"; setsid nohup "$2/current/node" "$2/current/agent.mjs" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" -H "unix://$SOCKET" >> "$2/agent.log" 2>&1 < /dev/null & echo $! > "$2/agent.pid"' sh ${env} ${root}`,
    );
  }
  // Ready when the socket exists (the agent creates it last); given up on when the agent has exited.
  const exited = systemd
    ? `${sudo}systemctl is-failed --quiet stevedore-agent`
    : `! ${sudo}kill -0 "$(cat ${shellQuote(`${installDir}/agent.pid`)})" 2>/dev/null`;
  lines.push(
    `for i in $(seq 1 120); do [ -S ${shellQuote(settings.socketPath)} ] && exit 0; if ${exited}; then break; fi; sleep 0.25; done`,
    `printf '%s\\n' ${shellQuote(`the agent did not come up on ${settings.socketPath}:`)} >&2`,
    systemd
      ? `${sudo}journalctl -u stevedore-agent -n 20 --no-pager >&2 || true`
      : `tail -n 20 ${shellQuote(`${installDir}/agent.log`)} >&2 || true`,
    'exit 1',
  );
  return lines.join('\n');
}
