/**
 * Fields that may hold PHI or secrets wherever they appear in a log object. Code should log
 * ids and references only; this list is the net under that rule.
 */
const SENSITIVE_FIELDS = [
  'to',
  'cc',
  'bcc',
  'from',
  'replyTo',
  'address',
  'addresses',
  'email',
  'subject',
  'text',
  'html',
  'body',
  'attachments',
  'content',
  'headers',
  'metadata',
  'password',
  'secret',
  'token',
  'apiKey',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SENSITIVE_FIELDS,
  ...SENSITIVE_FIELDS.map((field) => `*.${field}`),
  ...SENSITIVE_FIELDS.map((field) => `*.*.${field}`),
];
