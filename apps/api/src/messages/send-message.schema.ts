import { z } from 'zod';

// RFC 5322 caps a header line at 998 characters; from, replyTo and subject end up in one.
const HEADER_LINE = 998;
const MAX_LISTED_ADDRESSES = 10_000;

/** An optional field: absent, undefined and null all mean "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

/** A list of addresses; one address may be sent as a plain string. */
const addressList = z.preprocess(
  (value) =>
    value === undefined || value === null ? [] : typeof value === 'string' ? [value] : value,
  z.array(z.string()).max(MAX_LISTED_ADDRESSES),
);

const stringRecord = (maxKeys: number, maxLength: number) =>
  z.preprocess(
    (value) => value ?? {},
    z
      .record(z.string(), z.string().max(maxLength))
      .refine((record) => Object.keys(record).length <= maxKeys, {
        error: `must map at most ${maxKeys} names to strings of at most ${maxLength} characters`,
      }),
  );

const attachmentSchema = z.strictObject({
  filename: z.string().min(1).max(255),
  contentType: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'must be a MIME type like text/plain' }),
  content: z.base64(),
});

/**
 * The body of `POST /v1/messages`. SendMessageDto describes the same body for the OpenAPI
 * document; this schema is what requests are checked against. Unknown properties are refused.
 */
export const sendMessageSchema = z.strictObject({
  from: z.string().max(HEADER_LINE),
  to: addressList,
  cc: addressList,
  bcc: addressList,
  replyTo: optional(z.string().max(HEADER_LINE)),
  subject: z.string().max(HEADER_LINE),
  text: optional(z.string()),
  html: optional(z.string()),
  headers: stringRecord(100, HEADER_LINE),
  attachments: z.preprocess((value) => value ?? [], z.array(attachmentSchema).max(100)),
  tags: z.preprocess(
    (value) => value ?? [],
    z
      .array(z.string().regex(/^[\w.:-]{1,64}$/, { error: 'is 1-64 of A-Z a-z 0-9 _ . : -' }))
      .max(20),
  ),
  metadata: stringRecord(50, 500),
  tracking: optional(z.boolean()),
});

export type SendMessageBody = z.output<typeof sendMessageSchema>;
