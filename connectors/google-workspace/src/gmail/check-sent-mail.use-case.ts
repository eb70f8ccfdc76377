import { Injectable, Logger, Optional } from '@nestjs/common';
import { type gmail_v1 } from '@googleapis/gmail';
import { AuditLog, Clock, requireAuditLog } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import {
  GoogleFailure,
  GoogleWorkspaceError,
  googleFailureOf,
  isGoogleCallError,
} from '../google-workspace-error';
import { BYPASS_ACTION, GOOGLE_SYSTEM_ACTOR } from '../google-workspace-naming';
import { GoogleClientsFactory } from '../google/google-clients.factory';
import { GmailSentReader, type SentMessage } from './gmail-sent.reader';
import { type MailboxRow } from './mailbox';
import { runBounded } from './run-bounded';
import { SentMessageJudge } from './sent-message.judge';

// A full sync (history too old) looks back a week, Gmail's usual history lifetime, and at
// most 500 messages, so one mailbox cannot hold a job for long.
const FULL_SYNC_DAYS = 7;
const FULL_SYNC_MAX_MESSAGES = 500;
// Metadata reads in flight per mailbox.
const READS_IN_FLIGHT = 4;

export type SentCheckResult =
  | {
      status: 'checked';
      checked: number;
      bypassed: number;
      /** Not yet judged: no stamp and no gateway receipt yet, sent moments ago. */
      undecided: number;
      fullSync: boolean;
      /** When the earliest undecided message of the mailbox is judged; null when none is. */
      decideAt: Date | null;
    }
  | { status: 'baseline' }
  | { status: 'skipped'; reason: 'no_mailbox' | 'disabled' };

/**
 * Reads what a mailbox sent since its last position and records, in the audit chain, each
 * message that went out without passing the SMTP gateway (no stamp and no gateway receipt of
 * its Message-ID). A history id Gmail no longer has (404) turns into a bounded full sync and a
 * fresh position. Each message is judged once.
 */
@Injectable()
export class CheckSentMailUseCase {
  private readonly logger = new Logger(CheckSentMailUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: GoogleConnectionsService,
    private readonly clients: GoogleClientsFactory,
    private readonly reader: GmailSentReader,
    private readonly judge: SentMessageJudge,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async execute(organisationId: string, mailboxId: string): Promise<SentCheckResult> {
    const audit = requireAuditLog(this.audit);
    const [mailbox] = await this.dataSource.query<MailboxRow[]>(
      `SELECT * FROM google_mailboxes WHERE organisation_id = $1 AND id = $2`,
      [organisationId, mailboxId],
    );
    if (!mailbox) {
      return { status: 'skipped', reason: 'no_mailbox' };
    }
    const connection = await this.connections.open(organisationId);
    if (!connection.enabled) {
      return { status: 'skipped', reason: 'disabled' };
    }
    const gmail = this.clients.gmail(connection, mailbox.address);

    try {
      if (mailbox.history_id === null) {
        await this.advance(mailbox, await this.reader.currentHistoryId(gmail), false);
        return { status: 'baseline' };
      }
      const { messages, historyId, fullSync } = await this.sentSince(gmail, mailbox);
      const again = await this.dueUndecided(gmail, mailbox);
      const verdicts = await this.judge.judge(organisationId, [...messages, ...again]);
      const bypassed = await this.dataSource.transaction(async (tx) => {
        const decided = await tx.query<{ gmail_message_id: string; through_gateway: boolean }[]>(
          `INSERT INTO google_sent_checks (organisation_id, mailbox_id, gmail_message_id,
             through_gateway, decide_after)
           SELECT $1, $2, * FROM unnest($3::text[], $4::boolean[], $5::timestamptz[])
           ON CONFLICT (mailbox_id, gmail_message_id) DO UPDATE SET
             through_gateway = EXCLUDED.through_gateway, decide_after = EXCLUDED.decide_after,
             checked_at = clock_timestamp()
            WHERE google_sent_checks.through_gateway IS NULL
           RETURNING gmail_message_id, through_gateway`,
          [
            organisationId,
            mailbox.id,
            verdicts.map((v) => v.id),
            verdicts.map((v) => v.throughGateway),
            verdicts.map((v) => v.decideAfter),
          ],
        );
        const unstamped = decided.filter((row) => row.through_gateway === false);
        for (const row of unstamped) {
          await audit.append(tx, {
            organisationId,
            actor: GOOGLE_SYSTEM_ACTOR,
            action: BYPASS_ACTION,
            target: { type: 'gmail_message', id: row.gmail_message_id },
            details: { mailboxId: mailbox.id, connectionId: connection.id, fullSync },
          });
        }
        return unstamped.length;
      });
      await this.advance(mailbox, historyId, fullSync);
      if (bypassed) {
        this.logger.warn(
          { organisationId, mailboxId: mailbox.id, bypassed },
          'gmail sent mail bypassed the gateway',
        );
      }
      return {
        status: 'checked',
        checked: verdicts.length,
        bypassed,
        undecided: verdicts.filter((v) => v.throughGateway === null).length,
        fullSync,
        decideAt: await this.nextDecision(mailbox),
      };
    } catch (error) {
      if (!isGoogleCallError(error)) {
        throw error;
      }
      const failure = googleFailureOf(error, this.clients.tokenUrl);
      await this.dataSource.query(
        `UPDATE google_mailboxes SET last_error = $3, last_error_at = $4
          WHERE organisation_id = $1 AND id = $2`,
        [organisationId, mailbox.id, `history: ${failure.summary}`, this.clock.now()],
      );
      throw failure;
    }
  }

  private async sentSince(
    gmail: gmail_v1.Gmail,
    mailbox: MailboxRow,
  ): Promise<{ messages: SentMessage[]; historyId: string; fullSync: boolean }> {
    try {
      const added = await this.reader.addedSince(gmail, mailbox.history_id ?? '0');
      const unchecked = await this.unchecked(mailbox, added.messageIds);
      return {
        messages: await this.inspectAll(gmail, unchecked),
        historyId: added.historyId,
        fullSync: false,
      };
    } catch (error) {
      if (!(
        error instanceof GoogleWorkspaceError && error.failure === GoogleFailure.HistoryExpired
      )) {
        throw error;
      }
      // The position is read first, so nothing sent during the listing falls in a gap.
      const historyId = await this.reader.currentHistoryId(gmail);
      const since = new Date(this.clock.now().getTime() - FULL_SYNC_DAYS * 24 * 3600 * 1000);
      const recent = await this.reader.recentSent(gmail, since, FULL_SYNC_MAX_MESSAGES);
      const unchecked = new Set(
        await this.unchecked(
          mailbox,
          recent.map((m) => m.id),
        ),
      );
      this.logger.log(
        { organisationId: mailbox.organisation_id, mailboxId: mailbox.id },
        'gmail history expired; full sync',
      );
      return { messages: recent.filter((m) => unchecked.has(m.id)), historyId, fullSync: true };
    }
  }

  /** Undecided messages whose time has come, read again; gone ones are forgotten. */
  private async dueUndecided(gmail: gmail_v1.Gmail, mailbox: MailboxRow): Promise<SentMessage[]> {
    const due = await this.dataSource.query<{ gmail_message_id: string }[]>(
      `SELECT gmail_message_id FROM google_sent_checks
        WHERE organisation_id = $1 AND mailbox_id = $2 AND through_gateway IS NULL
          AND decide_after <= $3`,
      [mailbox.organisation_id, mailbox.id, this.clock.now()],
    );
    const ids = due.map((row) => row.gmail_message_id);
    const found = await this.inspectAll(gmail, ids);
    const gone = ids.filter((id) => !found.some((message) => message.id === id));
    await this.dataSource.query(
      `DELETE FROM google_sent_checks
        WHERE organisation_id = $1 AND mailbox_id = $2 AND through_gateway IS NULL
          AND gmail_message_id = ANY($3)`,
      [mailbox.organisation_id, mailbox.id, gone],
    );
    return found;
  }

  private async inspectAll(gmail: gmail_v1.Gmail, ids: string[]): Promise<SentMessage[]> {
    const messages: SentMessage[] = [];
    await runBounded(ids, READS_IN_FLIGHT, async (id) => {
      const message = await this.reader.inspect(gmail, id);
      if (message) {
        messages.push(message);
      }
    });
    return messages;
  }

  private async unchecked(mailbox: MailboxRow, ids: string[]): Promise<string[]> {
    const checked = await this.dataSource.query<{ gmail_message_id: string }[]>(
      `SELECT gmail_message_id FROM google_sent_checks
        WHERE organisation_id = $1 AND mailbox_id = $2 AND gmail_message_id = ANY($3)`,
      [mailbox.organisation_id, mailbox.id, ids],
    );
    const seen = new Set(checked.map((row) => row.gmail_message_id));
    return ids.filter((id) => !seen.has(id));
  }

  private async nextDecision(mailbox: MailboxRow): Promise<Date | null> {
    const [row] = await this.dataSource.query<{ at: Date | null }[]>(
      `SELECT min(decide_after) AS at FROM google_sent_checks
        WHERE organisation_id = $1 AND mailbox_id = $2 AND through_gateway IS NULL`,
      [mailbox.organisation_id, mailbox.id],
    );
    return row?.at ?? null;
  }

  /** Moves the position forward (never back: two jobs may finish out of order). */
  private async advance(mailbox: MailboxRow, historyId: string, fullSync: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE google_mailboxes SET
         history_id = CASE WHEN $4 THEN $3::numeric
           ELSE GREATEST(COALESCE(history_id, 0), $3::numeric) END,
         history_synced_at = $5, full_syncs = full_syncs + CASE WHEN $4 THEN 1 ELSE 0 END,
         last_error = NULL
       WHERE organisation_id = $1 AND id = $2`,
      [mailbox.organisation_id, mailbox.id, historyId, fullSync, this.clock.now()],
    );
  }
}
