import { type Command } from 'commander';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { googleRoutingSteps, ROUTING_MODES, type RoutingMode } from '@sealpost/google-workspace';
import { print, withContext } from './cli-context';

interface RoutingOptions {
  org: string;
  gatewayHost: string;
  mode: string;
  tag: string;
  port: string;
}

export function registerGoogleCommands(program: Command): void {
  const google = program.command('google').description('Google Workspace connector');
  google
    .command('routing')
    .description('print the Admin console steps that route Gmail through the gateway')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--gateway-host <host>', 'the gateway’s public name (its certificate’s)')
    .option('--mode <mode>', 'subject: mail with the tag; all: all outbound mail', 'subject')
    .option('--tag <tag>', 'the subject tag (subject mode)', '[secure]')
    .option('--port <port>', 'the gateway’s SMTP port', '2587')
    .action(async (options: RoutingOptions) => {
      if (!(ROUTING_MODES as readonly string[]).includes(options.mode)) {
        throw new SealpostError(ErrorCode.InvalidValue, 'mode must be subject or all.');
      }
      const domain = await withContext(async ({ organisations, dataSource }) => {
        const organisation = await organisations.findByName(options.org);
        if (!organisation) {
          throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
        }
        const [row] = await dataSource.query<{ domain: string | null }[]>(
          `SELECT domain FROM google_workspace_connections WHERE organisation_id = $1`,
          [organisation.id],
        );
        return row?.domain ?? null;
      });
      print(
        googleRoutingSteps({
          organisation: options.org,
          gatewayHost: options.gatewayHost,
          port: Number(options.port),
          mode: options.mode as RoutingMode,
          subjectTag: options.tag,
          domain,
        }),
      );
    });
}
