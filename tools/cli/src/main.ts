import 'reflect-metadata';
import { Command } from 'commander';
import { registerApiKeyCommands } from './api-key.command';
import { registerAuditCommands } from './audit.command';
import { registerContactsCommands } from './contacts.command';
import { registerDbCommands } from './db.command';
import { registerGatewayCommands } from './gateway.command';
import { registerGoogleCommands } from './google.command';
import { registerM365Commands } from './m365.command';
import { registerOrgCommands } from './org.command';
import { registerUserCommands } from './user.command';
import { reportFailure } from './cli-context';

const program = new Command('sealpost')
  .description('Sealpost administration: organisations, API keys, database')
  .showHelpAfterError();
registerOrgCommands(program);
registerApiKeyCommands(program);
registerDbCommands(program);
registerContactsCommands(program);
registerUserCommands(program);
registerAuditCommands(program);
registerGatewayCommands(program);
registerM365Commands(program);
registerGoogleCommands(program);

program.parseAsync(process.argv).catch(reportFailure);
