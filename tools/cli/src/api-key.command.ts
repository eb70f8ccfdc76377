import { type Command } from 'commander';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { print, withContext } from './cli-context';

interface CreateOptions {
  org: string;
  scopes: string;
  name?: string;
  json?: boolean;
}

export function registerApiKeyCommands(program: Command): void {
  const apiKey = program.command('api-key').description('API keys');
  apiKey
    .command('create')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--scopes <list>', 'comma-separated, e.g. messages:send,messages:read')
    .option('--name <name>', 'a label for the key', 'cli')
    .option('--json', 'print JSON')
    .description('create an API key; its token is shown this once')
    .action(async (options: CreateOptions) => {
      const created = await withContext(async ({ organisations, apiKeys }) => {
        const organisation = await organisations.findByName(options.org);
        if (!organisation) {
          throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
        }
        const scopes = options.scopes.split(',').map((scope) => scope.trim());
        return apiKeys.create(organisation.id, options.name ?? 'cli', scopes);
      });
      if (options.json) {
        print(JSON.stringify(created));
        return;
      }
      print(`API key ${created.id} created with scopes ${created.scopes.join(', ')}.`);
      print('Token (shown once, store it now):');
      print(created.token);
    });
}
