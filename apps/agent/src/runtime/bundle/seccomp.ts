/**
 * Stevedore's default seccomp profile. It allows by default and refuses, with EPERM, the system
 * calls a container has no business making: kernel and module loading, clocks, swap, reboot,
 * kernel keyrings, BPF and perf, process inspection across namespaces, and namespace creation.
 * Calls that only make sense with a capability (mount, unshare, setns, ...) are refused unless the
 * container was given that capability, which is how `--cap-add SYS_ADMIN` keeps working.
 */

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ERRNO' | 'SCMP_ACT_ALLOW';
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ALLOW';
  architectures: string[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
const CLONE_NAMESPACE_FLAGS = [0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000];

const ALWAYS_DENIED = [
  'acct',
  'add_key',
  'bpf',
  'clock_adjtime',
  'clock_settime',
  'create_module',
  'delete_module',
  'finit_module',
  'get_kernel_syms',
  'init_module',
  'ioperm',
  'iopl',
  'kcmp',
  'kexec_file_load',
  'kexec_load',
  'keyctl',
  'lookup_dcookie',
  'nfsservctl',
  'open_by_handle_at',
  'perf_event_open',
  'query_module',
  'quotactl',
  'request_key',
  'settimeofday',
  'stime',
  'swapoff',
  'swapon',
  'sysfs',
  '_sysctl',
  'uselib',
  'userfaultfd',
  'ustat',
  'vm86',
  'vm86old',
];

/** Denied unless the container holds the capability. */
const NEEDS_CAPABILITY: Readonly<Record<string, string[]>> = {
  CAP_SYS_ADMIN: [
    'mount',
    'umount',
    'umount2',
    'pivot_root',
    'setns',
    'unshare',
    'fsopen',
    'fsmount',
    'fsconfig',
    'fspick',
    'move_mount',
    'open_tree',
    'name_to_handle_at',
    'fanotify_init',
    'syslog',
    'vhangup',
    'setdomainname',
    'sethostname',
  ],
  CAP_SYS_PTRACE: ['ptrace', 'process_vm_readv', 'process_vm_writev'],
  CAP_SYS_TIME: ['adjtimex'],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'move_pages', 'set_mempolicy'],
};

const ARCHITECTURES: Readonly<Record<string, string[]>> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

export function defaultSeccompProfile(capabilities: readonly string[], arch = process.arch): SeccompProfile {
  const denied = [...ALWAYS_DENIED];
  for (const [cap, names] of Object.entries(NEEDS_CAPABILITY)) {
    if (!capabilities.includes(cap)) denied.push(...names);
  }
  const syscalls: SeccompRule[] = [{ names: denied, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!capabilities.includes('CAP_SYS_ADMIN')) {
    // clone(2) with any namespace flag (one rule per flag: rules on one call are OR-ed); clone3
    // hides its flags in memory, so it answers ENOSYS and libc falls back to clone.
    for (const flag of CLONE_NAMESPACE_FLAGS) {
      syscalls.push({
        names: ['clone'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
      });
    }
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: ARCHITECTURES[arch] ?? [], syscalls };
}
