import { type Command } from 'commander';
import { print, withContext } from './cli-context';

export function registerOrgCommands(program: Command): void {
  const org = program.command('org').description('organisations');
  org
    .command('create')
    .argument('<name>', 'organisation name, unique')
    .option('--json', 'print JSON')
    .description('create an organisation')
    .action(async (name: string, options: { json?: boolean }) => {
      const created = await withContext(({ organisations }) => organisations.create(name));
      print(
        options.json
          ? JSON.stringify({ id: created.id, name: created.name })
          : `organisation ${created.name} created (id ${created.id})`,
      );
    });
}
