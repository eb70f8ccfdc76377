import { type Command } from 'commander';
import { loadConfig, migrateDatabase } from '@sealpost/core';
import { print } from './cli-context';

export function registerDbCommands(program: Command): void {
  program
    .command('db')
    .description('database')
    .command('migrate')
    .description('create the database if missing and apply pending migrations')
    .action(async () => {
      const applied = await migrateDatabase(loadConfig().database.url);
      print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    });
}
