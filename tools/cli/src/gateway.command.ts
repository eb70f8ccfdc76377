import { type Command } from 'commander';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { GatewayAccessService } from '@sealpost/messaging';
import { type CliContext, print, withContext } from './cli-context';

interface OrgOption {
  org: string;
  json?: boolean;
}

/** Runs `action` with the gateway access service and the named organisation's id. */
function forOrganisation<T>(
  name: string,
  action: (access: GatewayAccessService, organisationId: string) => Promise<T>,
): Promise<T> {
  return withContext(async ({ organisations, dataSource, auditLog }: CliContext) => {
    const organisation = await organisations.findByName(name);
    if (!organisation) {
      throw new SealpostError(ErrorCode.NotFound, `no organisation named "${name}"`);
    }
    return action(new GatewayAccessService(dataSource, auditLog), organisation.id);
  });
}

function output(options: { json?: boolean }, value: unknown, line: string): void {
  print(options.json ? JSON.stringify(value) : line);
}

export function registerGatewayCommands(program: Command): void {
  const gateway = program.command('gateway').description('SMTP gateway access');
  const credential = gateway.command('credential').description('SMTP AUTH credentials');
  credential
    .command('create')
    .requiredOption('--org <name>', 'organisation name')
    .option('--name <label>', 'what the credential is for', 'cli')
    .option('--json', 'print JSON')
    .description('create an SMTP AUTH credential; its password is shown this once')
    .action(async (options: OrgOption & { name: string }) => {
      const created = await forOrganisation(options.org, (access, id) =>
        access.createCredential(id, options.name),
      );
      output(
        options,
        created,
        `Credential ${created.id}: username ${created.username}\n` +
          `Password (shown once, store it now):\n${created.password}`,
      );
    });
  credential
    .command('list')
    .requiredOption('--org <name>', 'organisation name')
    .option('--json', 'print JSON')
    .action(async (options: OrgOption) => {
      const list = await forOrganisation(options.org, (access, id) => access.listCredentials(id));
      const lines = list.map(
        (c) => `${c.id} ${c.username} ${c.name}${c.revokedAt ? ' (revoked)' : ''}`,
      );
      output(options, list, lines.join('\n') || 'no credentials');
    });
  credential
    .command('revoke <id>')
    .requiredOption('--org <name>', 'organisation name')
    .action(async (id: string, options: OrgOption) => {
      await forOrganisation(options.org, (access, org) => access.revokeCredential(org, id));
      print(`Credential ${id} revoked.`);
    });

  const range = gateway.command('range').description('sender IP ranges allowed without AUTH');
  range
    .command('add <cidr>')
    .requiredOption('--org <name>', 'organisation name')
    .option('--domains <list>', 'comma-separated sender domains (default: any)')
    .option('--json', 'print JSON')
    .action(async (cidr: string, options: OrgOption & { domains?: string }) => {
      const domains = (options.domains ?? '').split(',').filter((d) => d.trim());
      const added = await forOrganisation(options.org, (access, id) =>
        access.addSenderRange(id, cidr, domains),
      );
      output(options, added, `Range ${added.id} ${added.cidr} added.`);
    });
  range
    .command('list')
    .requiredOption('--org <name>', 'organisation name')
    .option('--json', 'print JSON')
    .action(async (options: OrgOption) => {
      const list = await forOrganisation(options.org, (access, id) => access.listSenderRanges(id));
      const lines = list.map((r) => `${r.id} ${r.cidr} ${r.senderDomains.join(',') || 'any'}`);
      output(options, list, lines.join('\n') || 'no ranges');
    });
  range
    .command('remove <id>')
    .requiredOption('--org <name>', 'organisation name')
    .action(async (id: string, options: OrgOption) => {
      await forOrganisation(options.org, (access, org) => access.removeSenderRange(org, id));
      print(`Range ${id} removed.`);
    });
}
