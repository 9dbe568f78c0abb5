import type { Command } from './command.js';
import { COMMANDS, MANAGEMENT_FORMS } from './registry.js';

/** A command as called: `path` is the name used (`container ls`), `aliases` the other verbs of that form. */
export interface ResolvedCommand {
  command: Command;
  path: readonly string[];
  aliases: readonly string[];
}

/** `stevedore NAME`: a top-level command. */
export function findTopLevelCommand(name: string): ResolvedCommand | undefined {
  const command = COMMANDS.find((c) => c.path.length === 1 && c.path[0] === name);
  return command && { command, path: command.path, aliases: [] };
}

/** `stevedore NOUN VERB`: a group's own command, or a management form of a top-level one. */
export function findGroupCommand(noun: string, verb: string): ResolvedCommand | undefined {
  const own = COMMANDS.find((c) => c.path.length === 2 && c.path[0] === noun && c.path[1] === verb);
  if (own) return { command: own, path: own.path, aliases: [] };
  const form = MANAGEMENT_FORMS.find(
    (f) => f.path[0] === noun && (f.path[1] === verb || f.aliases?.includes(verb)),
  );
  return form && { command: form.command, path: form.path, aliases: [form.path[1], ...(form.aliases ?? [])] };
}

/** What `stevedore NOUN --help` lists: each verb once (aliases not), in alphabetical order as Docker. */
export function groupVerbs(noun: string): { verb: string; command: Command }[] {
  const own = COMMANDS.filter((c) => c.path.length === 2 && c.path[0] === noun).map((command) => ({
    verb: command.path[1] as string,
    command,
  }));
  const forms = MANAGEMENT_FORMS.filter((f) => f.path[0] === noun).map((f) => ({
    verb: f.path[1],
    command: f.command,
  }));
  return [...own, ...forms].sort((a, b) => a.verb.localeCompare(b.verb));
}
