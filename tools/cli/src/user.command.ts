import { type Command } from 'commander';
import { ErrorCode, isUserRole, SealpostError, USER_ROLES } from '@sealpost/core';
import { print, withContext } from './cli-context';

interface InviteOptions {
  org: string;
  email: string;
  name: string;
  role: string;
  json?: boolean;
}

/** `sealpost user invite`: how the first owner of an organisation gets in. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('people who sign in to Sealpost');
  user
    .command('invite')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--email <address>', 'their email address, used to sign in')
    .requiredOption('--name <name>', 'their name')
    .option('--role <role>', `one of ${USER_ROLES.join(', ')}`, 'owner')
    .option('--json', 'print JSON')
    .description('invite a user; the invitation token is shown this once')
    .action(async (options: InviteOptions) => {
      const role = options.role;
      if (!isUserRole(role)) {
        throw new SealpostError(
          ErrorCode.ValidationFailed,
          `--role is one of ${USER_ROLES.join(', ')}`,
        );
      }
      const invited = await withContext(async ({ organisations, users }) => {
        const organisation = await organisations.findByName(options.org);
        if (!organisation) {
          throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
        }
        const operator = { organisationId: organisation.id, scopes: ['admin'] as const };
        return users.invite(operator, { email: options.email, name: options.name, role });
      });
      if (options.json) {
        print(JSON.stringify(invited));
        return;
      }
      print(`User ${invited.user.id} invited as ${invited.user.role}.`);
      print(`Invitation token (shown once, valid until ${invited.inviteExpiresAt}):`);
      print(invited.inviteToken);
      print('They set a password and an authenticator app with POST /v1/auth/enrol,');
      print('then confirm with a first code at POST /v1/auth/enrol/confirm (see README).');
    });
}
