import { type Command, Option } from 'commander';
import { type Env, ErrorCode, SealpostError } from '@sealpost/core';
import { PolicyService } from '@sealpost/encryption';
import { googleRoutingSteps, ROUTING_MODES, type RoutingMode } from '@sealpost/google-workspace';
import { print, withContext } from './cli-context';

export interface GoogleRoutingOptions {
  org: string;
  gatewayHost: string;
  mode: RoutingMode;
  /** Default: the organisation's policy subject tag, which the gateway's policy looks for. */
  tag?: string;
  port: string;
}

/**
 * Prints the Admin console steps for the organisation, with its Workspace domain (when the
 * connection names one) and its policy's subject tag unless `--tag` says otherwise.
 */
export async function googleRoutingCommand(
  options: GoogleRoutingOptions,
  env: Env = process.env,
  write: (text: string) => void = print,
): Promise<void> {
  const steps = await withContext(async ({ organisations, dataSource }) => {
    const organisation = await organisations.findByName(options.org);
    if (!organisation) {
      throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
    }
    const [connection] = await dataSource.query<{ domain: string | null }[]>(
      `SELECT domain FROM google_workspace_connections WHERE organisation_id = $1`,
      [organisation.id],
    );
    const policy = await new PolicyService(dataSource).forOrganisation(organisation.id);
    return googleRoutingSteps({
      organisation: organisation.name,
      gatewayHost: options.gatewayHost,
      port: Number(options.port),
      mode: options.mode,
      subjectTag: options.tag ?? policy.protection.subjectTag ?? '',
      domain: connection?.domain ?? null,
    });
  }, env);
  write(steps);
}

export function registerGoogleCommands(program: Command): void {
  const google = program.command('google').description('Google Workspace connector');
  google
    .command('routing')
    .description('print the Admin console steps that route Gmail through the gateway')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--gateway-host <host>', "the gateway's public host name (its TLS name)")
    .addOption(
      new Option('--mode <mode>', 'subject: mail with the tag; all: all outbound mail')
        .choices(ROUTING_MODES)
        .default('subject'),
    )
    .option('--tag <tag>', "the subject tag (default: the organisation's policy tag)")
    .option('--port <port>', "the gateway's SMTP port", '2587')
    .action((options: GoogleRoutingOptions) => googleRoutingCommand(options));
}
