import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

export const cgroupV2 = () => existsSync(join(ROOT, 'cgroup.controllers'));

/** A container's cgroup directory for one controller (v1) or the unified tree (v2). */
export function cgroupDir(controller: string, parent: string, id: string): string {
  return cgroupV2() ? join(ROOT, parent, id) : join(ROOT, controller, parent, id);
}

export function readCgroupFile(controller: string, parent: string, id: string, file: string): string {
  return readFileSync(join(cgroupDir(controller, parent, id), file), 'utf8').trim();
}

/** Every cgroup directory left under `parent`, in any hierarchy. */
export function cgroupsUnder(parent: string): string[] {
  const hierarchies = cgroupV2() ? [ROOT] : readdirSync(ROOT).map((name) => join(ROOT, name));
  return hierarchies.flatMap((hierarchy) => {
    const dir = join(hierarchy, parent);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name));
  });
}

/** Removes the (empty) parent cgroup a test's agent used, in every hierarchy. */
export function removeCgroupParent(parent: string): void {
  const hierarchies = cgroupV2() ? [ROOT] : readdirSync(ROOT).map((name) => join(ROOT, name));
  for (const hierarchy of hierarchies) {
    const dir = join(hierarchy, parent);
    if (!existsSync(dir)) continue;
    for (const child of cgroupsUnder(parent).filter((path) => path.startsWith(`${dir}/`))) {
      try {
        rmdirSync(child);
      } catch {}
    }
    try {
      rmdirSync(dir);
    } catch {}
  }
}
