/** GOARCH-style names (amd64, arm64), as `docker version` shows in OS/Arch and image indexes name platforms. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
  };
  return names[arch] ?? arch;
}
