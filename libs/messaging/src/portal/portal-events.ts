import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type PortalLink } from './portal-links.repository';

/** What happened on the portal, appended to the message's history like delivery events. */
export enum PortalEventType {
  CodeSent = 'portal.code_sent',
  CodeFailed = 'portal.code_failed',
  Locked = 'portal.locked',
  Verified = 'portal.verified',
  Viewed = 'portal.viewed',
  Downloaded = 'portal.downloaded',
  Replied = 'portal.replied',
  Revoked = 'portal.revoked',
  PassphraseSet = 'portal.passphrase_set',
}

/** Event data holds ids, counts and indexes: never addresses, codes, names or content. */
export type PortalEventData = Record<string, string | number | boolean>;

@Injectable()
export class PortalEvents {
  constructor(private readonly dataSource: DataSource) {}

  /** Awaited by every caller: a view that could not be recorded is not shown. */
  async record(
    link: Pick<PortalLink, 'organisationId' | 'messageId' | 'recipientId'>,
    type: PortalEventType,
    data: PortalEventData = {},
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
       VALUES ($1, $2, $3, $4, $5)`,
      [link.organisationId, link.messageId, link.recipientId, type, data],
    );
  }
}
