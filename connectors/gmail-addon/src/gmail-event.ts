/** The parts of Google's event object the add-on reads; everything else is ignored. */
export interface GmailAddonEvent {
  userIdToken: string | null;
  /** The scopes the person granted; null when Google did not say (older events). */
  authorizedScopes: string[] | null;
  recipients: string[];
  subject: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/**
 * Reads an event object defensively: a field of the wrong type is treated as absent, since the
 * request was already proven to come from Google and a card is the only useful answer.
 */
export function readGmailEvent(body: unknown): GmailAddonEvent {
  const event = record(body);
  const authorization = record(event.authorizationEventObject);
  const gmail = record(event.gmail);
  const inputs = record(record(event.commonEventObject).formInputs);
  const subject = strings(record(record(inputs.subject).stringInputs).value)[0] ?? '';
  return {
    userIdToken: typeof authorization.userIdToken === 'string' ? authorization.userIdToken : null,
    authorizedScopes: Array.isArray(authorization.authorizedScopes)
      ? strings(authorization.authorizedScopes)
      : null,
    recipients: [
      ...strings(gmail.toRecipients),
      ...strings(gmail.ccRecipients),
      ...strings(gmail.bccRecipients),
    ].slice(0, 100),
    subject: subject.slice(0, 998),
  };
}
