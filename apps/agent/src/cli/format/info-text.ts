import type { SystemInfo } from '@stevedore/shared';
import { bytesSize } from '@stevedore/shared';

/** `docker info`'s Server section, laid out the same way, for a Stevedore agent. */
export function infoText(info: SystemInfo): string[] {
  const runtimeNames = Object.keys(info.Runtimes).sort();
  const lines = [
    'Server:',
    ` Containers: ${info.Containers}`,
    `  Running: ${info.ContainersRunning}`,
    `  Paused: ${info.ContainersPaused}`,
    `  Stopped: ${info.ContainersStopped}`,
    ` Images: ${info.Images}`,
    ` Server Version: ${info.ServerVersion}`,
    ` Storage Driver: ${info.Driver}`,
    ...info.DriverStatus.map(([key, value]) => `  ${key}: ${value}`),
    ` Cgroup Driver: ${info.CgroupDriver}`,
    ` Cgroup Version: ${info.CgroupVersion}`,
    ` Runtimes: ${runtimeNames.join(' ')}`,
    ` Default Runtime: ${info.DefaultRuntime}`,
    ...runtimeNames.map((name) => ` ${name} version: ${info.Runtimes[name]?.version}`),
    ` Kernel Version: ${info.KernelVersion}`,
    ` Operating System: ${info.OperatingSystem}`,
    ` OSType: ${info.OSType}`,
    ` Architecture: ${info.Architecture}`,
    ` CPUs: ${info.NCPU}`,
    ` Total Memory: ${bytesSize(info.MemTotal)}`,
    ` Name: ${info.Name}`,
    ` ID: ${info.ID}`,
    ` Root Dir: ${info.DockerRootDir}`,
    ` IPTables: ${info.IPTables}`,
  ];
  const insecure = [...info.RegistryConfig.InsecureRegistries, ...info.RegistryConfig.InsecureRegistryCIDRs];
  if (insecure.length > 0) lines.push(' Insecure Registries:', ...insecure.map((r) => `  ${r}`));
  if (info.RegistryConfig.Mirrors.length > 0) {
    lines.push(' Registry Mirrors:', ...info.RegistryConfig.Mirrors.map((m) => `  ${m}`));
  }
  lines.push(` Live Restore Enabled: ${info.LiveRestoreEnabled}`);
  return lines;
}
