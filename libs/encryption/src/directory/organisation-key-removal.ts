import {
  apiKeyActor,
  type AuditLog,
  type AuthContext,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { type DataSource } from 'typeorm';

/**
 * Deletes one of the caller's organisation keys (PGP archive or signing, S/MIME signing) with
 * its audit record in the same transaction; `missing` is the 404's sentence.
 */
export async function removeOrganisationKey(
  dataSource: DataSource,
  audit: AuditLog | undefined,
  caller: AuthContext,
  purpose: string,
  missing: string,
): Promise<void> {
  const log = requireAuditLog(audit);
  await dataSource.transaction(async (tx) => {
    const [, deleted] = await tx.query<[unknown, number]>(
      `DELETE FROM organisation_keys WHERE organisation_id = $1 AND purpose = $2`,
      [caller.organisationId, purpose],
    );
    if (!deleted) {
      throw new SealpostError(ErrorCode.NotFound, missing);
    }
    await log.append(tx, {
      organisationId: caller.organisationId,
      actor: apiKeyActor(caller),
      action: 'organisation_key.deleted',
      target: { type: 'organisation_key', id: purpose },
    });
  });
}
