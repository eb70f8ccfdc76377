import { ErrorCode, SealpostError } from '@sealpost/core';
import { z } from 'zod';

/**
 * A Pub/Sub push request body: `message.data` is base64 of what Gmail published,
 * `{"emailAddress": "...", "historyId": ...}`.
 */
const pushBodySchema = z.object({
  message: z.object({
    data: z.string().min(1).max(4096),
    messageId: z.string().max(200).optional(),
    message_id: z.string().max(200).optional(),
  }),
  subscription: z.string().max(1000).optional(),
});

const gmailNotificationSchema = z.object({
  emailAddress: z.string().min(3).max(320),
  historyId: z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]),
});

export interface GmailNotification {
  emailAddress: string;
  historyId: string;
}

/** The Gmail notification inside a push; a 422 naming the part that is wrong, never values. */
export function readGmailNotification(body: unknown): GmailNotification {
  const push = pushBodySchema.safeParse(body);
  if (!push.success) {
    throw new SealpostError(
      ErrorCode.ValidationFailed,
      'The body is not a Pub/Sub push message (message.data is required).',
    );
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(push.data.message.data, 'base64').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const notification = gmailNotificationSchema.safeParse(decoded);
  if (!notification.success) {
    throw new SealpostError(
      ErrorCode.ValidationFailed,
      'message.data is not a Gmail notification (emailAddress and historyId).',
    );
  }
  return {
    emailAddress: notification.data.emailAddress.toLowerCase(),
    historyId: String(notification.data.historyId),
  };
}
