import { Injectable } from '@nestjs/common';
import { type AuthContext, ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';

export interface MessageEventFilters {
  /** The recipient's exact address. */
  recipient?: string;
  /** The message's From address. */
  sender?: string;
  /** Events at or after. */
  from?: Date;
  /** Events before. */
  to?: Date;
  type?: string;
  /** The recipient's current status. */
  status?: string;
  /** How the recipient's copy was protected. */
  method?: string;
  workflowId?: string;
  tag?: string;
  cursor?: string;
  limit: number;
}

export interface MessageEventView {
  id: string;
  type: string;
  at: string;
  messageId: string;
  recipientId: string | null;
  recipient: string | null;
  status: string | null;
  method: string | null;
  sender: string;
  tags: string[];
  workflowId: string | null;
  data: Record<string, unknown>;
}

export interface MessageEventPage {
  data: MessageEventView[];
  nextCursor: string | null;
}

interface EventRow {
  id: string;
  type: string;
  created_at: Date;
  at_text: string;
  message_id: string;
  recipient_id: string | null;
  address: string | null;
  status: string | null;
  method: string | null;
  from_address: string;
  tags: string[];
  workflow_id: string | null;
  data: Record<string, unknown>;
}

/**
 * Message events of one organisation, newest first, keyset-paged on (time, id). A message's
 * own events (accepted) have no recipient: a recipient, status or method filter keeps them when
 * one of the message's recipients matches. Each filter
 * narrows through an index: time through (organisation, created_at), a recipient through the
 * recipients' address index and then the message's events, a sender or workflow through the
 * messages' indexes, a tag through its GIN index.
 */
@Injectable()
export class MessageEventsSearch {
  constructor(private readonly dataSource: DataSource) {}

  async search(caller: AuthContext, filters: MessageEventFilters): Promise<MessageEventPage> {
    const params: unknown[] = [caller.organisationId];
    const conditions = ['e.organisation_id = $1'];
    for (const [test, values] of conditionsOf(filters)) {
      const first = params.length + 1;
      params.push(...values);
      conditions.push(test.replace(/\$\?(\d)/g, (_match, index) => `$${first + Number(index)}`));
    }
    params.push(filters.limit + 1);
    // Only the filters given are in the statement: a condition the planner cannot see as
    // absent (`$n IS NULL OR ...`) keeps it from starting at the most selective index.
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT e.id, e.type, e.created_at, e.created_at::text AS at_text, e.message_id,
              e.recipient_id, r.address, r.status, r.method, m.from_address, m.tags,
              m.metadata->>'workflowId' AS workflow_id, e.data
         FROM message_events e
         JOIN messages m ON m.id = e.message_id AND m.organisation_id = e.organisation_id
         LEFT JOIN message_recipients r ON r.id = e.recipient_id
        WHERE ${conditions.join(' AND ')}
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, filters.limit);
    const last = page.at(-1);
    return {
      data: page.map(viewOf),
      nextCursor: rows.length > filters.limit && last ? encodeCursor(last.at_text, last.id) : null,
    };
  }
}

/** Each given filter as SQL, `$?0`, `$?1` standing for its own parameters, in order. */
function conditionsOf(filters: MessageEventFilters): [string, unknown[]][] {
  const cursor = filters.cursor ? decodeCursor(filters.cursor) : null;
  const given: [string, unknown[]][] = [];
  const add = (test: string, value: unknown, ...more: unknown[]) => {
    if (value !== undefined && value !== null) {
      given.push([test, [value, ...more]]);
    }
  };
  add('(e.created_at, e.id) < ($?0::timestamptz, $?1::bigint)', cursor?.at, cursor?.id);
  add('e.created_at >= $?0', filters.from);
  add('e.created_at < $?0', filters.to);
  add('e.type = $?0', filters.type);
  // Through the recipients' address index to the few messages, then their events by message.
  add(
    `e.message_id IN (SELECT message_id FROM message_recipients
                       WHERE organisation_id = $1 AND address = $?0)
     AND (e.recipient_id IS NULL OR r.address = $?0)`,
    filters.recipient,
  );
  add('m.from_address = $?0', filters.sender);
  add(ofRecipients('status', '$?0'), filters.status);
  add(ofRecipients('method', '$?0'), filters.method);
  add(`m.metadata->>'workflowId' = $?0`, filters.workflowId);
  add('m.tags @> ARRAY[$?0::text]', filters.tag);
  return given;
}

/**
 * A recipient's event matches on that recipient; a message's own event (`accepted`) matches
 * when any of its recipients does.
 */
function ofRecipients(column: 'status' | 'method', parameter: string): string {
  return `CASE WHEN e.recipient_id IS NULL
            THEN EXISTS (SELECT 1 FROM message_recipients x
                          WHERE x.message_id = e.message_id AND x.${column} = ${parameter})
            ELSE r.${column} = ${parameter} END`;
}

function viewOf(row: EventRow): MessageEventView {
  return {
    id: String(row.id),
    type: row.type,
    at: new Date(row.created_at).toISOString(),
    messageId: row.message_id,
    recipientId: row.recipient_id,
    recipient: row.address,
    status: row.status,
    method: row.method,
    sender: row.from_address,
    tags: row.tags,
    workflowId: row.workflow_id,
    data: row.data,
  };
}

// The cursor keeps PostgreSQL's microseconds, which a JavaScript Date would round away.
function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify({ at, id: String(id) }), 'utf8').toString('base64url');
}

function decodeCursor(raw: string): { at: string; id: string } {
  try {
    const cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as {
      at?: unknown;
      id?: unknown;
    };
    if (
      typeof cursor.at === 'string' &&
      !Number.isNaN(Date.parse(cursor.at)) &&
      typeof cursor.id === 'string' &&
      /^\d{1,19}$/.test(cursor.id)
    ) {
      return { at: cursor.at, id: cursor.id };
    }
  } catch {
    // fall through to the error below
  }
  throw new SealpostError(ErrorCode.ValidationFailed, 'The cursor is not one this API returned.', [
    { path: 'cursor', message: 'is not valid' },
  ]);
}
