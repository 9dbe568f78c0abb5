import { text } from 'node:stream/consumers';
import { type Command, stringFlag } from '../../command.js';
import { UsageError } from '../../errors.js';

export const loginCommand: Command = {
  path: ['login'],
  usage: '[OPTIONS] SERVER',
  description: 'Log in to a registry (the agent keeps the credentials, readable by root only)',
  flags: [
    { name: 'username', short: 'u', kind: 'string', valueName: 'string', description: 'Username' },
    { name: 'password', short: 'p', kind: 'string', valueName: 'string', description: 'Password' },
    { name: 'password-stdin', kind: 'boolean', description: 'Take the password from stdin' },
  ],
  args: { min: 1, max: 1 },
  async execute(context) {
    const serverAddress = context.args[0]!;
    const username = stringFlag(context, 'username');
    let password = stringFlag(context, 'password');
    if (context.flags.get('password-stdin')) {
      if (password !== undefined)
        throw new UsageError('--password and --password-stdin are mutually exclusive', 'stevedore login');
      password = (await text(process.stdin)).replace(/\r?\n$/, '');
    }
    if (!username || !password)
      throw new UsageError('give --username and --password (or --password-stdin)', 'stevedore login');
    if (stringFlag(context, 'password') !== undefined) {
      context.reporter.error('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
    }
    const result = await (await context.agent()).images.login.mutate({ serverAddress, username, password });
    context.reporter.line(result.Status);
    return 0;
  },
};

export const logoutCommand: Command = {
  path: ['logout'],
  usage: 'SERVER',
  description: 'Log out from a registry',
  flags: [],
  args: { min: 1, max: 1 },
  async execute(context) {
    const serverAddress = context.args[0]!;
    const { removed } = await (await context.agent()).images.logout.mutate({ serverAddress });
    context.reporter.line(
      removed ? `Removing login credentials for ${serverAddress}` : `Not logged in to ${serverAddress}`,
    );
    return 0;
  },
};
