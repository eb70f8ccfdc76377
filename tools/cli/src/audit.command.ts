import { type Command } from 'commander';
import { type ChainVerification } from '@sealpost/audit';
import { type Env, ErrorCode, SealpostError } from '@sealpost/core';
import { print, withContext } from './cli-context';

interface VerifyOptions {
  org: string;
  json?: boolean;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .requiredOption('--org <name>', 'organisation name')
    .option('--json', 'print JSON')
    .description('check the organisation audit chain and checkpoints end to end')
    .action(async (options: VerifyOptions) => {
      process.exitCode = await verifyAuditCommand(options);
    });
}

/** Prints the outcome; returns the exit code (1 when the chain is broken). */
export async function verifyAuditCommand(
  options: VerifyOptions,
  env: Env = process.env,
  out: (line: string) => void = print,
): Promise<number> {
  const result = await withContext(async ({ organisations, auditVerifier }) => {
    const organisation = await organisations.findByName(options.org);
    if (!organisation) {
      throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
    }
    return auditVerifier.verify(organisation.id);
  }, env);
  if (options.json) {
    out(JSON.stringify(result));
  } else {
    out(verificationLine(options.org, result));
  }
  return result.ok ? 0 : 1;
}

export function verificationLine(org: string, result: ChainVerification): string {
  const counts = `${result.records} records, ${result.checkpoints} checkpoints`;
  if (!result.firstBad) {
    return `ok: audit chain of ${org} verified (${counts}, last hash ${result.lastHash})`;
  }
  const { sequence, reason, message } = result.firstBad;
  return `BROKEN: audit chain of ${org} fails at record ${sequence} (${reason}): ${message}`;
}
