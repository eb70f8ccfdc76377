import { type Command, Option } from 'commander';
import { type Env, ErrorCode, SealpostError } from '@sealpost/core';
import { PolicyService } from '@sealpost/encryption';
import { exchangeRoutingScript, ROUTING_MODES, type RoutingMode } from '@sealpost/microsoft365';
import { print, withContext } from './cli-context';

interface RoutingOptions {
  org: string;
  gatewayHost: string;
  mode: RoutingMode;
}

/**
 * Prints the Exchange Online PowerShell for the organisation; reads its policy's subject tag
 * so `--mode subject` matches what the gateway looks for.
 */
export async function m365RoutingCommand(
  options: RoutingOptions,
  env: Env = process.env,
  write: (text: string) => void = print,
): Promise<void> {
  const script = await withContext(async ({ organisations, dataSource }) => {
    const organisation = await organisations.findByName(options.org);
    if (!organisation) {
      throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
    }
    const policy = await new PolicyService(dataSource).forOrganisation(organisation.id);
    try {
      return exchangeRoutingScript({
        organisationName: organisation.name,
        gatewayHost: options.gatewayHost,
        mode: options.mode,
        subjectTag: policy.protection.subjectTag,
      });
    } catch (error) {
      throw new SealpostError(ErrorCode.InvalidValue, (error as Error).message);
    }
  }, env);
  write(script);
}

export function registerM365Commands(program: Command): void {
  const m365 = program.command('m365').description('Microsoft 365 connector');
  m365
    .command('routing')
    .description('print the Exchange Online PowerShell that routes mail through the gateway')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--gateway-host <host>', "the gateway's public host name (its TLS name)")
    .addOption(
      new Option('--mode <mode>', 'which mail to route').choices(ROUTING_MODES).default('header'),
    )
    .action((options: RoutingOptions) => m365RoutingCommand(options));
}
