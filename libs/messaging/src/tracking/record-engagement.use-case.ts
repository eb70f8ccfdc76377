import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { EngagementSink } from './engagement-sink';
import { type TrackedEngagement, TrackingTokens } from './tracking-tokens';

export enum TrackingEventType {
  Opened = 'opened',
  Clicked = 'clicked',
}

/**
 * An open or click arriving by its token: verified, appended to the message's history (only
 * when that recipient of that message of that organisation exists), then handed to the
 * EngagementSink. A token that fails any of these records nothing and yields null.
 */
@Injectable()
export class RecordEngagementUseCase {
  private readonly logger = new Logger(RecordEngagementUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TrackingTokens,
    private readonly sink: EngagementSink,
  ) {}

  /** True when the open was recorded; false answers 404. */
  async open(token: string): Promise<boolean> {
    const engagement = this.tokens.verify(token);
    return engagement?.kind === 'open' && (await this.record(engagement));
  }

  /** The URL to redirect to, or null (404: redirect nowhere). */
  async click(token: string): Promise<string | null> {
    const engagement = this.tokens.verify(token);
    if (engagement?.kind !== 'click') {
      return null;
    }
    return (await this.record(engagement)) ? engagement.url : null;
  }

  private async record(engagement: TrackedEngagement): Promise<boolean> {
    const type = engagement.kind === 'open' ? TrackingEventType.Opened : TrackingEventType.Clicked;
    // The link's position and a hash of its URL, never the URL: it may carry PHI.
    const data =
      engagement.kind === 'click'
        ? { link: engagement.link, urlHash: sha256Hex(engagement.url) }
        : {};
    const [row] = await this.dataSource.query<{ created_at: Date }[]>(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
       SELECT organisation_id, message_id, id, $4, $5 FROM message_recipients
        WHERE id = $3 AND message_id = $2 AND organisation_id = $1
       RETURNING created_at`,
      [engagement.organisationId, engagement.messageId, engagement.recipientId, type, data],
    );
    if (!row) {
      return false;
    }
    const ids = {
      organisationId: engagement.organisationId,
      messageId: engagement.messageId,
      recipientId: engagement.recipientId,
    };
    this.logger.log({ ...ids, type }, 'engagement recorded');
    await this.offerToSink({
      ...ids,
      type,
      url: engagement.kind === 'click' ? engagement.url : undefined,
      at: new Date(row.created_at),
    });
    return true;
  }

  /**
   * The event row is already durable, so a failing sink must not cost the recipient the
   * redirect; it is logged, and the engine can find the event in message_events.
   */
  private async offerToSink(event: Parameters<EngagementSink['record']>[0]): Promise<void> {
    try {
      await this.sink.record(event);
    } catch (error) {
      this.logger.error(
        { messageId: event.messageId, recipientId: event.recipientId, err: safeErrorFields(error) },
        'engagement sink failed',
      );
    }
  }
}

/** Lets a journey match a click on a given link without the event storing the link. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
