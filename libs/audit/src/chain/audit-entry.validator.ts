import { type AuditEntry, ErrorCode, SealpostError } from '@sealpost/core';

const MAX_FIELD_LENGTH = 200;
const MAX_DETAILS = 32;

/**
 * Refuses entries whose canonical form would not survive storage: jsonb rejects NUL, and a
 * float or an integer past 2^53 could come back from PostgreSQL written differently. A
 * programming error, so it fails the action like any other failed audit write.
 */
export function assertStorableEntry(entry: AuditEntry): void {
  const texts = [entry.actor.id, entry.action, entry.target.type, entry.target.id];
  const details = Object.entries(entry.details ?? {});
  const badText = texts.some((text) => !isStorableText(text) || !text);
  const badDetail = details.some(
    ([key, value]) =>
      !key ||
      !isStorableText(key) ||
      (typeof value === 'string' && !isStorableText(value)) ||
      (typeof value === 'number' && !Number.isSafeInteger(value)),
  );
  if (badText || badDetail || details.length > MAX_DETAILS) {
    throw new SealpostError(ErrorCode.InternalError, 'The audit record could not be written.');
  }
}

function isStorableText(text: string): boolean {
  return text.length <= MAX_FIELD_LENGTH && !text.includes('\u0000');
}
