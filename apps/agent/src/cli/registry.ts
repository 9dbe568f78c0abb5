import type { Command } from './command.js';
import { attachCommand } from './commands/container/attach.js';
import { commitCommand } from './commands/container/commit.js';
import { createCommand } from './commands/container/create.js';
import { execCommand } from './commands/container/exec.js';
import { cpCommand, exportCommand } from './commands/container/files.js';
import { containerInspectCommand, inspectCommand } from './commands/container/inspect.js';
import {
  killCommand,
  pauseCommand,
  renameCommand,
  restartCommand,
  rmCommand,
  startCommand,
  stopCommand,
  unpauseCommand,
  waitCommand,
} from './commands/container/lifecycle.js';
import { logsCommand } from './commands/container/logs.js';
import { portCommand } from './commands/container/port.js';
import { psCommand } from './commands/container/ps.js';
import { runCommand } from './commands/container/run.js';
import { statsCommand, topCommand } from './commands/container/stats.js';
import { updateCommand } from './commands/container/update.js';
import { eventsCommand } from './commands/events.js';
import { historyCommand } from './commands/image/history.js';
import { imagesCommand } from './commands/image/images.js';
import { importCommand } from './commands/image/import.js';
import { imageInspectCommand } from './commands/image/inspect.js';
import { loadCommand } from './commands/image/load.js';
import { loginCommand, logoutCommand } from './commands/image/login.js';
import { pullCommand } from './commands/image/pull.js';
import { pushCommand } from './commands/image/push.js';
import { rmiCommand } from './commands/image/rmi.js';
import { saveCommand } from './commands/image/save.js';
import { searchCommand } from './commands/image/search.js';
import { tagCommand } from './commands/image/tag.js';
import { infoCommand } from './commands/info.js';
import {
  networkConnectCommand,
  networkCreateCommand,
  networkDisconnectCommand,
  networkInspectCommand,
  networkLsCommand,
  networkPruneCommand,
  networkRmCommand,
} from './commands/network/network.js';
import { systemDfCommand } from './commands/system/df.js';
import { migrateRootCommand } from './commands/system/migrate-root.js';
import {
  containerPruneCommand,
  imagePruneCommand,
  systemPruneCommand,
  volumePruneCommand,
} from './commands/system/prune.js';
import { tokenCreateCommand } from './commands/token/create.js';
import { tokenLsCommand } from './commands/token/ls.js';
import { tokenRmCommand } from './commands/token/rm.js';
import { versionCommand } from './commands/version.js';
import {
  volumeCreateCommand,
  volumeInspectCommand,
  volumeLsCommand,
  volumeRmCommand,
} from './commands/volume/volume.js';

/** Every CLI command; `stevedore --help` lists them in this order. */
export const COMMANDS: readonly Command[] = [
  infoCommand,
  versionCommand,
  runCommand,
  createCommand,
  startCommand,
  stopCommand,
  restartCommand,
  killCommand,
  pauseCommand,
  unpauseCommand,
  rmCommand,
  renameCommand,
  waitCommand,
  psCommand,
  logsCommand,
  attachCommand,
  execCommand,
  topCommand,
  statsCommand,
  portCommand,
  inspectCommand,
  updateCommand,
  exportCommand,
  cpCommand,
  commitCommand,
  eventsCommand,
  pullCommand,
  pushCommand,
  historyCommand,
  searchCommand,
  importCommand,
  loadCommand,
  saveCommand,
  imagesCommand,
  tagCommand,
  rmiCommand,
  imageInspectCommand,
  containerInspectCommand,
  imagePruneCommand,
  containerPruneCommand,
  volumePruneCommand,
  systemDfCommand,
  systemPruneCommand,
  migrateRootCommand,
  loginCommand,
  logoutCommand,
  volumeCreateCommand,
  volumeLsCommand,
  volumeInspectCommand,
  volumeRmCommand,
  networkCreateCommand,
  networkLsCommand,
  networkInspectCommand,
  networkRmCommand,
  networkConnectCommand,
  networkDisconnectCommand,
  networkPruneCommand,
  tokenCreateCommand,
  tokenLsCommand,
  tokenRmCommand,
];

/** Groups of commands under a noun, e.g. `token`, with their one-line description. */
export const COMMAND_GROUPS: Readonly<Record<string, string>> = {
  token: 'Manage API tokens for remote access',
  image: 'Manage images',
  volume: 'Manage volumes',
  network: 'Manage networks',
  container: 'Manage containers',
  system: 'Manage the agent',
};

/**
 * Docker's management-command forms of top-level commands (`container ls` is `ps`, `image rm` is
 * `rmi`): the same Command objects under a second name; `aliases` also name them, unlisted.
 */
export const MANAGEMENT_FORMS: readonly ManagementForm[] = [
  { path: ['container', 'attach'], command: attachCommand },
  { path: ['container', 'commit'], command: commitCommand },
  { path: ['container', 'cp'], command: cpCommand },
  { path: ['container', 'create'], command: createCommand },
  { path: ['container', 'exec'], command: execCommand },
  { path: ['container', 'export'], command: exportCommand },
  { path: ['container', 'kill'], command: killCommand },
  { path: ['container', 'logs'], command: logsCommand },
  { path: ['container', 'ls'], command: psCommand, aliases: ['ps', 'list'] },
  { path: ['container', 'pause'], command: pauseCommand },
  { path: ['container', 'port'], command: portCommand },
  { path: ['container', 'rename'], command: renameCommand },
  { path: ['container', 'restart'], command: restartCommand },
  { path: ['container', 'rm'], command: rmCommand, aliases: ['remove'] },
  { path: ['container', 'run'], command: runCommand },
  { path: ['container', 'start'], command: startCommand },
  { path: ['container', 'stats'], command: statsCommand },
  { path: ['container', 'stop'], command: stopCommand },
  { path: ['container', 'top'], command: topCommand },
  { path: ['container', 'unpause'], command: unpauseCommand },
  { path: ['container', 'update'], command: updateCommand },
  { path: ['container', 'wait'], command: waitCommand },
  { path: ['image', 'history'], command: historyCommand },
  { path: ['image', 'import'], command: importCommand },
  { path: ['image', 'load'], command: loadCommand },
  { path: ['image', 'ls'], command: imagesCommand, aliases: ['list'] },
  { path: ['image', 'pull'], command: pullCommand },
  { path: ['image', 'push'], command: pushCommand },
  { path: ['image', 'rm'], command: rmiCommand, aliases: ['remove'] },
  { path: ['image', 'save'], command: saveCommand },
  { path: ['image', 'tag'], command: tagCommand },
  { path: ['system', 'events'], command: eventsCommand },
  { path: ['system', 'info'], command: infoCommand },
];

export interface ManagementForm {
  path: readonly [string, string];
  command: Command;
  aliases?: readonly string[];
}
