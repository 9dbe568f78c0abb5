/**
 * A small pflag-style parser shared by the agent and the CLI: `--name value`, `--name=value`,
 * `-n value`, `-nvalue`, booleans as `--name` or `--name=false`, repeatable list flags, `--` ends
 * flags. Error messages follow pflag's wording so they read like Docker's.
 */
export type FlagKind = 'string' | 'boolean' | 'list';

export interface FlagSpec {
  /** Long name without dashes, e.g. `data-root`. */
  name: string;
  short?: string;
  kind: FlagKind;
  /** Placeholder shown in help, e.g. `DIR`. */
  valueName?: string;
  description: string;
  /** Default as shown in help. */
  defaultText?: string;
}

export type FlagValue = string | boolean | string[];

export interface ParsedArgv {
  /** Only the flags given on the command line, by long name. */
  flags: Map<string, FlagValue>;
  positionals: string[];
}

export class ArgvError extends Error {
  override readonly name = 'ArgvError';
}

export interface ParseOptions {
  /** Stop at the first positional and return the rest untouched (for `cmd [global flags] verb ...`). */
  stopAtPositional?: boolean;
}

export function parseArgv(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  options: ParseOptions = {},
): ParsedArgv {
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));

  const set = (spec: FlagSpec, value: string | undefined) => {
    if (spec.kind === 'boolean') {
      flags.set(spec.name, parseBoolean(value ?? 'true', flagDisplayName(spec)));
    } else if (spec.kind === 'list') {
      const previous = flags.get(spec.name);
      flags.set(spec.name, [...(Array.isArray(previous) ? previous : []), value as string]);
    } else {
      flags.set(spec.name, value as string);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw new ArgvError(`unknown flag: --${name}`);
      let value = eq === -1 ? undefined : arg.slice(eq + 1);
      if (value === undefined && spec.kind !== 'boolean') {
        if (i + 1 >= argv.length) throw new ArgvError(`flag needs an argument: --${name}`);
        value = argv[++i];
      }
      set(spec, value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // pflag's grouping: `-aq` is `-a -q` while the letters are booleans; a value flag takes the rest.
      let letters = arg.slice(1);
      while (
        letters.length > 1 &&
        byShort.get(letters[0] as string)?.kind === 'boolean' &&
        letters[1] !== '='
      ) {
        set(byShort.get(letters[0] as string) as FlagSpec, undefined);
        letters = letters.slice(1);
      }
      const letter = letters[0] as string;
      const spec = byShort.get(letter);
      if (!spec) throw new ArgvError(`unknown shorthand flag: '${letter}' in ${arg}`);
      let value: string | undefined = letters.length > 1 ? letters.slice(1).replace(/^=/, '') : undefined;
      if (value === undefined && spec.kind !== 'boolean') {
        if (i + 1 >= argv.length) throw new ArgvError(`flag needs an argument: '${letter}' in -${letter}`);
        value = argv[++i];
      }
      set(spec, value);
      continue;
    }
    if (options.stopAtPositional) {
      positionals.push(...argv.slice(i));
      break;
    }
    positionals.push(arg);
  }
  return { flags, positionals };
}

/** A flag as pflag names it in errors, whichever form was typed: `-m, --memory` or `--cpus`. */
export function flagDisplayName(spec: Pick<FlagSpec, 'name' | 'short'>): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

function parseBoolean(value: string, display: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ArgvError(`invalid argument "${value}" for "${display}" flag: must be true or false`);
}

/** Help lines for flags, aligned like pflag's usage output. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => {
    const names = s.short ? `-${s.short}, --${s.name}` : `    --${s.name}`;
    const value = s.kind === 'boolean' ? '' : ` ${s.valueName ?? (s.kind === 'list' ? 'list' : 'string')}`;
    return `  ${names}${value}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return specs
    .map((s, i) => {
      const text = s.defaultText ? `${s.description} (default ${s.defaultText})` : s.description;
      return `${(left[i] as string).padEnd(width)}${text}`;
    })
    .join('\n');
}
