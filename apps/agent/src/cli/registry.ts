import type { Command } from './command.js';
import { imagesCommand } from './commands/image/images.js';
import { imageInspectCommand } from './commands/image/inspect.js';
import { loginCommand, logoutCommand } from './commands/image/login.js';
import { pullCommand } from './commands/image/pull.js';
import { rmiCommand } from './commands/image/rmi.js';
import { tagCommand } from './commands/image/tag.js';
import { infoCommand } from './commands/info.js';
import { tokenCreateCommand } from './commands/token/create.js';
import { tokenLsCommand } from './commands/token/ls.js';
import { tokenRmCommand } from './commands/token/rm.js';
import { versionCommand } from './commands/version.js';

/** Every CLI command; `stevedore --help` lists them in this order. */
export const COMMANDS: readonly Command[] = [
  infoCommand,
  versionCommand,
  pullCommand,
  imagesCommand,
  tagCommand,
  rmiCommand,
  imageInspectCommand,
  loginCommand,
  logoutCommand,
  tokenCreateCommand,
  tokenLsCommand,
  tokenRmCommand,
];

/** Groups of commands under a noun, e.g. `token`, with their one-line description. */
export const COMMAND_GROUPS: Readonly<Record<string, string>> = {
  token: 'Manage API tokens for remote access',
  image: 'Manage images',
};
