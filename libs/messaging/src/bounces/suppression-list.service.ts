import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from '../messages/created-at-cursor';
import { parseMailbox } from '../messages/mailbox';

export interface SuppressionView {
  id: string;
  address: string;
  reason: 'hard_bounce' | 'manual';
  /** The bounce's enhanced status code, e.g. 5.1.1; null for a manual entry. */
  statusCode: string | null;
  messageId: string | null;
  recipientId: string | null;
  createdAt: string;
}

export interface SuppressionPage {
  data: SuppressionView[];
  nextCursor: string | null;
}

interface SuppressionRow {
  id: string;
  address: string;
  reason: 'hard_bounce' | 'manual';
  status_code: string | null;
  message_id: string | null;
  recipient_id: string | null;
  created_at: Date;
}

const COLUMNS = 'id, address, reason, status_code, message_id, recipient_id, created_at';

/**
 * An organisation's suppression list: addresses delivery skips. Hard bounces add to it (see
 * ReceiveBounceUseCase); admins list it, add to it and remove from it, each change audited.
 * The audit record names the entry's id, never its address.
 */
@Injectable()
export class SuppressionListService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  /** Newest first, keyset-paged on (created_at, id): the cursor never carries an address. */
  async list(
    caller: AuthContext,
    page: { cursor?: string; limit: number },
  ): Promise<SuppressionPage> {
    const cursor = page.cursor ? decodeCreatedAtCursor(page.cursor) : null;
    const rows = await this.dataSource.query<SuppressionRow[]>(
      `SELECT ${COLUMNS} FROM suppressions
        WHERE organisation_id = $1
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [caller.organisationId, cursor?.createdAt ?? null, cursor?.id ?? null, page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      data: shown.map(viewOf),
      nextCursor:
        rows.length > page.limit && last
          ? encodeCreatedAtCursor({
              createdAt: new Date(last.created_at).toISOString(),
              id: last.id,
            })
          : null,
    };
  }

  /** Adds an address by hand; 409 already_exists when it is on the list. */
  async add(caller: AuthContext, address: string): Promise<SuppressionView> {
    const normalised = normalise(address);
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const [row] = await tx.query<SuppressionRow[]>(
        `INSERT INTO suppressions (id, organisation_id, address, reason)
         VALUES ($1, $2, $3, 'manual')
         ON CONFLICT (organisation_id, address) DO NOTHING RETURNING ${COLUMNS}`,
        [randomUUID(), caller.organisationId, normalised],
      );
      if (!row) {
        throw new SealpostError(ErrorCode.AlreadyExists, 'That address is already suppressed.');
      }
      await audit.append(tx, auditEntry(caller, 'suppression.added', row));
      return viewOf(row);
    });
  }

  /** Removes an address, so later sends reach it again; 404 when it is not on the list. */
  async remove(caller: AuthContext, address: string): Promise<void> {
    const normalised = normalise(address);
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query<[SuppressionRow[], number]>(
        `DELETE FROM suppressions WHERE organisation_id = $1 AND address = $2
         RETURNING ${COLUMNS}`,
        [caller.organisationId, normalised],
      );
      const [row] = rows;
      if (!row) {
        throw new SealpostError(ErrorCode.NotFound, 'That address is not suppressed.');
      }
      await audit.append(tx, auditEntry(caller, 'suppression.removed', row));
    });
  }
}

function auditEntry(caller: AuthContext, action: string, row: SuppressionRow) {
  return {
    organisationId: caller.organisationId,
    actor: apiKeyActor(caller),
    action,
    target: { type: 'suppression', id: row.id },
    details: { reason: row.reason, statusCode: row.status_code },
  };
}

function normalise(address: string): string {
  const mailbox = parseMailbox(address);
  if (!mailbox || mailbox.name) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'An email address is expected.', [
      { path: 'address', message: 'is not an email address' },
    ]);
  }
  return mailbox.address.toLowerCase();
}

function viewOf(row: SuppressionRow): SuppressionView {
  return {
    id: row.id,
    address: row.address,
    reason: row.reason,
    statusCode: row.status_code,
    messageId: row.message_id,
    recipientId: row.recipient_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
