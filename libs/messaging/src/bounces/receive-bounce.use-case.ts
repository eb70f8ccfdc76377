import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MessageEventType, PENDING_STATUSES, RecipientStatus } from '../messages/message-status';
import { type BounceOutcome } from './bounce-outcome';
import { type BounceFinding, type BounceNotice, findingFor, readNotice } from './bounce-reader';
import { VerpAddresses } from './verp-addresses';

interface BouncedCopy {
  id: string;
  organisation_id: string;
  message_id: string;
  address: string;
}

/**
 * A delivery status notification arriving on return paths: each token names a recipient; the
 * notice is read once; a failure becomes a `bounced` event (which the audit chain and webhooks
 * pick up from message_events like any other), the copy's status `bounced`, and a hard one
 * puts the address on the organisation's suppression list, in one transaction per copy.
 * Shaped as the SMTP gateway's InboundBounceHandler port: `accepts` at RCPT TO (no I/O),
 * `receive` after DATA, resolving once everything is durable.
 */
@Injectable()
export class ReceiveBounceUseCase {
  private readonly logger = new Logger(ReceiveBounceUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly verp: VerpAddresses,
  ) {}

  /** True when the address is one of our return paths and its token is genuine. */
  accepts(address: string): boolean {
    return this.verp.recipientOf(address) !== null;
  }

  /** Every RCPT TO of the transaction; the reference names what was recorded, no address. */
  async receive(raw: Buffer, envelope: { rcptTo: string[] }): Promise<{ reference: string }> {
    const notice = await readNotice(raw);
    const outcomes: BounceOutcome[] = [];
    for (const rcptTo of envelope.rcptTo) {
      outcomes.push(await this.receiveFor(rcptTo, notice));
    }
    return { reference: outcomes.map(referenceOf).join(' ') };
  }

  /** What the notice reports about the copy one return path names, recorded. */
  async receiveFor(rcptTo: string, notice: BounceNotice): Promise<BounceOutcome> {
    const recipientId = this.verp.recipientOf(rcptTo);
    const [copy] = recipientId
      ? await this.dataSource.query<BouncedCopy[]>(
          `SELECT id, organisation_id, message_id, address FROM message_recipients
            WHERE id = $1`,
          [recipientId],
        )
      : [];
    if (!copy) {
      this.logger.warn({ outcome: 'unknown' }, 'bounce notice for no known copy');
      return { kind: 'unknown' };
    }

    const finding = findingFor(notice, copy.address);
    if (!finding) {
      this.logger.log({ recipientId: copy.id, outcome: 'ignored' }, 'bounce notice ignored');
      return { kind: 'ignored', recipientId: copy.id };
    }
    const eventId = await this.dataSource.transaction((tx) => this.record(tx, copy, finding));
    if (!eventId) {
      this.logger.log({ recipientId: copy.id, outcome: 'ignored' }, 'bounce notice repeated');
      return { kind: 'ignored', recipientId: copy.id };
    }
    const outcome: BounceOutcome = {
      kind: 'recorded',
      organisationId: copy.organisation_id,
      messageId: copy.message_id,
      recipientId: copy.id,
      eventId,
      status: finding.status,
      class: finding.class,
      suppressed: finding.class === 'hard',
    };
    this.logger.log(outcome, 'bounce recorded');
    return outcome;
  }

  /**
   * Status, suppression and event of one bounce; returns the event's id, or null when a notice
   * with this status was already recorded for this copy. A reporting server that lost our 250
   * sends the same notice again; the row lock makes two arriving at once wait for each other.
   */
  private async record(
    tx: EntityManager,
    copy: BouncedCopy,
    finding: BounceFinding,
  ): Promise<string | null> {
    const [earlier] = await tx.query<{ recorded: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM message_events e
                       WHERE e.recipient_id = r.id AND e.type = $3
                         AND e.data->>'source' = 'dsn' AND e.data->>'status' = $4) AS recorded
         FROM message_recipients r WHERE r.id = $1 AND r.organisation_id = $2 FOR UPDATE`,
      [copy.id, copy.organisation_id, MessageEventType.Bounced, finding.status],
    );
    if (!earlier || earlier.recorded) {
      return null;
    }
    // A copy still pending has its lease and retries to settle it; only a finished copy moves.
    // The remote reply replaces our relay's 250, so reports class the bounce by it.
    await tx.query(
      `UPDATE message_recipients
          SET status = CASE WHEN status = ANY($3::text[]) THEN status ELSE $4 END,
              smtp_response = CASE WHEN status = ANY($3::text[]) THEN smtp_response ELSE $5 END,
              last_error = $6, updated_at = now()
        WHERE id = $1 AND organisation_id = $2`,
      [
        copy.id,
        copy.organisation_id,
        PENDING_STATUSES,
        RecipientStatus.Bounced,
        finding.smtpReply ?? finding.status,
        finding.diagnosticCode ?? `status ${finding.status}`,
      ],
    );
    if (finding.class === 'hard') {
      // The first bounce that suppressed an address stays its reason.
      await tx.query(
        `INSERT INTO suppressions
           (id, organisation_id, address, reason, status_code, message_id, recipient_id)
         VALUES ($1, $2, lower($3), 'hard_bounce', $4, $5, $6)
         ON CONFLICT (organisation_id, address) DO NOTHING`,
        [
          randomUUID(),
          copy.organisation_id,
          copy.address,
          finding.status,
          copy.message_id,
          copy.id,
        ],
      );
    }
    const [event] = await tx.query<{ id: string }[]>(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [
        copy.organisation_id,
        copy.message_id,
        copy.id,
        MessageEventType.Bounced,
        {
          source: 'dsn',
          format: finding.format,
          status: finding.status,
          class: finding.class,
          diagnosticCode: finding.diagnosticCode,
          remoteMta: finding.remoteMta,
          reportingMta: finding.reportingMta,
          suppressed: finding.class === 'hard',
        },
      ],
    );
    return String(event.id);
  }
}

function referenceOf(outcome: BounceOutcome): string {
  return outcome.kind === 'recorded' ? `event-${outcome.eventId}` : outcome.kind;
}
