import { createHash } from 'node:crypto';
import { type AuditDetails } from '@sealpost/core';
import { type UnhashedAuditRecord } from './audit-record';

/** Names the canonical form, so a later form can be told apart from this one. */
export const CANONICAL_VERSION = 'sealpost-audit-v1';

/** The previous hash of an organisation's first record. */
export const GENESIS_HASH = Buffer.alloc(32);

/**
 * The canonical serialisation of a record (documented in libs/audit/README.md): a JSON array
 * of the form's version and the record's fields in a fixed order, strings as JSON.stringify
 * writes them, the sequence as a decimal string, the time as ISO 8601 UTC with milliseconds
 * and the details as an object with its keys sorted by UTF-16 code units. No whitespace.
 * The previous hash is not in it: the hash covers it as raw bytes instead.
 */
export function canonicalForm(record: Omit<UnhashedAuditRecord, 'previousHash'>): string {
  const fields = [
    CANONICAL_VERSION,
    record.organisationId,
    String(record.sequence),
    record.recordedAt.toISOString(),
    record.actor.type,
    record.actor.id,
    record.action,
    record.target.type,
    record.target.id,
    record.outcome,
  ].map((field) => JSON.stringify(field));
  return `[${fields.join(',')},${detailsForm(record.details)}]`;
}

/** SHA-256 over the previous hash (32 bytes) followed by the UTF-8 canonical form. */
export function recordHash(record: UnhashedAuditRecord): Buffer {
  return createHash('sha256')
    .update(record.previousHash)
    .update(canonicalForm(record), 'utf8')
    .digest();
}

/**
 * Written by hand rather than by JSON.stringify of a sorted copy: JavaScript objects list
 * integer-like keys ("2", "10") first whatever order they were added in.
 */
function detailsForm(details: AuditDetails): string {
  const members = Object.keys(details)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(details[key])}`);
  return `{${members.join(',')}}`;
}
