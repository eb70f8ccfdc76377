import { Injectable } from '@nestjs/common';
import { type gmail_v1 } from '@googleapis/gmail';
import { GATEWAY_STAMP_HEADER } from '@sealpost/messaging';
import { GoogleFailure, GoogleWorkspaceError, statusOf } from '../google-workspace-error';
import { withGoogleRetry } from '../google/google-retry';

// Gmail's largest history and message-list pages.
const HISTORY_PAGE = 500;
const LIST_PAGE = 100;
const NO_LIBRARY_RETRY = { retry: false };

/** What Sealpost reads of one sent message: the gateway's stamp, its Message-ID, its date. */
export interface SentMessage {
  id: string;
  stamped: boolean;
  /** The Message-ID header, to look up the gateway's receipt; never stored or logged. */
  messageIdHeader: string | null;
  sentAt: Date;
}

const MESSAGE_ID = 'Message-ID';

/**
 * Reads a mailbox's SENT label through the Gmail API: history since a position, the recent
 * messages for a full sync, and two headers of each message. Only the stamp and Message-ID
 * are asked for (format=metadata, a field mask), so no subject, address or snippet is read.
 */
@Injectable()
export class GmailSentReader {
  /** Ids of messages added to SENT since `startHistoryId`, and the position reached. */
  async addedSince(
    gmail: gmail_v1.Gmail,
    startHistoryId: string,
  ): Promise<{ messageIds: string[]; historyId: string }> {
    const ids = new Set<string>();
    let historyId = startHistoryId;
    let pageToken: string | undefined;
    do {
      let data: gmail_v1.Schema$ListHistoryResponse;
      try {
        ({ data } = await withGoogleRetry(() =>
          gmail.users.history.list(
            {
              userId: 'me',
              startHistoryId,
              historyTypes: ['messageAdded'],
              labelId: 'SENT',
              maxResults: HISTORY_PAGE,
              pageToken,
            },
            NO_LIBRARY_RETRY,
          ),
        ));
      } catch (error) {
        if (statusOf(error) === 404) {
          throw new GoogleWorkspaceError(
            GoogleFailure.HistoryExpired,
            'Gmail no longer has this history',
            404,
          );
        }
        throw error;
      }
      for (const record of data.history ?? []) {
        for (const added of record.messagesAdded ?? []) {
          const message = added.message;
          if (message?.id && (message.labelIds ?? ['SENT']).includes('SENT')) {
            ids.add(message.id);
          }
        }
      }
      historyId = data.historyId ?? historyId;
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return { messageIds: [...ids], historyId };
  }

  /** The mailbox's current history position (a full sync starts from here). */
  async currentHistoryId(gmail: gmail_v1.Gmail): Promise<string> {
    const { data } = await withGoogleRetry(() =>
      gmail.users.getProfile({ userId: 'me', fields: 'historyId' }, NO_LIBRARY_RETRY),
    );
    if (!data.historyId) {
      throw new GoogleWorkspaceError(GoogleFailure.Rejected, 'Gmail profile has no historyId');
    }
    return data.historyId;
  }

  /**
   * Sent messages newest first, until one is older than `since` or `max` were read. The
   * gmail.metadata scope forbids `q`, so the window is applied to each message's date here.
   */
  async recentSent(gmail: gmail_v1.Gmail, since: Date, max: number): Promise<SentMessage[]> {
    const found: SentMessage[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await withGoogleRetry(() =>
        gmail.users.messages.list(
          { userId: 'me', labelIds: ['SENT'], maxResults: LIST_PAGE, pageToken },
          NO_LIBRARY_RETRY,
        ),
      );
      for (const listed of data.messages ?? []) {
        const message = listed.id ? await this.inspect(gmail, listed.id) : null;
        if (!message) {
          continue;
        }
        if (message.sentAt < since || found.length >= max) {
          return found;
        }
        found.push(message);
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return found;
  }

  /** One sent message's stamp and date; null when it is gone (deleted since it was listed). */
  async inspect(gmail: gmail_v1.Gmail, id: string): Promise<SentMessage | null> {
    try {
      const { data } = await withGoogleRetry(() =>
        gmail.users.messages.get(
          {
            userId: 'me',
            id,
            format: 'metadata',
            metadataHeaders: [GATEWAY_STAMP_HEADER, MESSAGE_ID],
            fields: 'id,internalDate,payload/headers',
          },
          NO_LIBRARY_RETRY,
        ),
      );
      const headers = data.payload?.headers ?? [];
      const valueOf = (name: string) =>
        headers.find((header) => header.name?.toLowerCase() === name.toLowerCase())?.value?.trim();
      return {
        id,
        stamped: Boolean(valueOf(GATEWAY_STAMP_HEADER)),
        messageIdHeader: valueOf(MESSAGE_ID) || null,
        sentAt: new Date(Number(data.internalDate ?? 0)),
      };
    } catch (error) {
      if (statusOf(error) === 404) {
        return null;
      }
      throw error;
    }
  }
}
