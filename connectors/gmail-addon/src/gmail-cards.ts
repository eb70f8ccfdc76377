import { type RecipientPreview } from '@sealpost/messaging';

// Card JSON of Google Workspace add-ons (HTTP runtime): a trigger or an action answers
// `renderActions`, whose `action.navigations` push a card, or whose `hostAppAction` acts on the
// open draft. Text is plain; values a person typed never appear in a card Sealpost builds.

export const SUBJECT_INPUT = 'subject';

const METHOD_NAMES: Record<string, string> = {
  pgp: 'PGP encrypted',
  smime: 'S/MIME encrypted',
  tls: 'Verified TLS',
  portal: 'Secure portal',
  plain: 'Not encrypted',
  none: 'Not sent',
};

export interface RecentSecureMessage {
  id: string;
  createdAt: Date;
  recipients: number;
  methods: string[];
}

type Widget = Record<string, unknown>;

function pushCard(card: Record<string, unknown>): Record<string, unknown> {
  return { renderActions: { action: { navigations: [{ pushCard: card }] } } };
}

function text(value: string): Widget {
  return { textParagraph: { text: escapeText(value) } };
}

/** Card text is formatted (a few HTML tags); addresses and reasons must stay plain. */
function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The compose card: each recipient with the method it gets when sent securely and why, a field
 * for the subject (Gmail does not hand add-ons the draft's subject) and "Send securely".
 */
export function composeCard(
  recipients: RecipientPreview[],
  subjectTag: string,
  sendSecurelyUrl: string,
): Record<string, unknown> {
  const rows: Widget[] = recipients.length
    ? recipients.map((recipient) => ({
        decoratedText: {
          topLabel: escapeText(recipient.address),
          text:
            recipient.action === 'drop'
              ? 'Will not be sent'
              : (METHOD_NAMES[recipient.method] ?? escapeText(recipient.method)),
          bottomLabel: escapeText(recipient.reasons.join('; ')),
          wrapText: true,
        },
      }))
    : [text('Add recipients, then open Sealpost again to see how each will receive it.')];

  return pushCard({
    header: { title: 'Sealpost', subtitle: 'Sent securely, each recipient gets' },
    sections: [
      { widgets: rows },
      {
        widgets: [
          {
            textInput: {
              name: SUBJECT_INPUT,
              label: 'Subject',
              hintText: `Replaces the draft's subject, with ${subjectTag} in front`,
              type: 'SINGLE_LINE',
            },
          },
          {
            buttonList: {
              buttons: [
                { text: 'Send securely', onClick: { action: { function: sendSecurelyUrl } } },
              ],
            },
          },
        ],
      },
    ],
  });
}

/** Puts the organisation's tag in front of the subject; the gateway's routing does the rest. */
export function sendSecurelyAction(subject: string, subjectTag: string): Record<string, unknown> {
  const trimmed = subject.trim();
  const tagged = trimmed.toLowerCase().includes(subjectTag.toLowerCase())
    ? trimmed
    : `${subjectTag} ${trimmed}`.trim();
  return {
    renderActions: {
      action: { notification: { text: 'Sealpost will send this message securely.' } },
      hostAppAction: {
        gmailAction: { updateDraftActionMarkup: { updateSubject: { subject: tagged } } },
      },
    },
  };
}

/** The homepage: the person's recent messages that went out protected, without their content. */
export function homepageCard(messages: RecentSecureMessage[]): Record<string, unknown> {
  const rows: Widget[] = messages.length
    ? messages.map((message) => ({
        decoratedText: {
          topLabel: message.createdAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
          text: `${message.recipients} recipient${message.recipients === 1 ? '' : 's'}`,
          bottomLabel: message.methods.map((method) => METHOD_NAMES[method] ?? method).join(', '),
        },
      }))
    : [text('No secure messages from you yet.')];
  return pushCard({
    header: { title: 'Sealpost', subtitle: 'Your recent secure messages' },
    sections: [{ widgets: rows }],
  });
}

/** Shown when the Google account has no active Sealpost user. */
export function noAccountCard(): Record<string, unknown> {
  return pushCard({
    header: { title: 'Sealpost' },
    sections: [
      {
        widgets: [
          text(
            'Your Google account has no Sealpost account. Ask your Sealpost administrator to ' +
              'invite you with this email address.',
          ),
        ],
      },
    ],
  });
}

/** Asks Google to show the consent screen for every scope the deployment lists. */
export function requestAllScopes(): Record<string, unknown> {
  return { requesting_google_scopes: { all_scopes: true } };
}
