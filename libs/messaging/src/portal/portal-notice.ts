import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface PortalNoticeInput {
  /** The original sender, `Name <address>`: the notice comes from them. */
  from: string;
  senderName: string;
  organisationName: string;
  to: string;
  link: string;
  expiresAt: Date;
  idDomain: string;
}

export interface CodeNoticeInput {
  from: string;
  organisationName: string;
  to: string;
  code: string;
  validMinutes: number;
  idDomain: string;
}

/**
 * The email that replaces the message for a portal recipient. It travels without end-to-end
 * protection, so it holds no PHI: no subject, no body, no attachment names. Only who sent it,
 * from which organisation, the link and until when it works.
 */
export function composePortalNotice(input: PortalNoticeInput): Promise<Buffer> {
  const sender = input.senderName || input.organisationName;
  const until = formatDate(input.expiresAt);
  const text = [
    `${sender} (${input.organisationName}) sent you a secure message.`,
    '',
    'Read it on the secure portal:',
    input.link,
    '',
    `The link is for you only and works until ${until}. To open it, you will be asked for a`,
    'one-time code, which we send to this email address.',
    '',
    'If you did not expect this message, you can ignore this email.',
  ].join('\n');
  return compose({
    from: input.from,
    to: input.to,
    subject: `Secure message from ${input.organisationName}`,
    text,
    idDomain: input.idDomain,
  });
}

/** The one-time code; like the notice, nothing about the message itself. */
export function composeCodeNotice(input: CodeNoticeInput): Promise<Buffer> {
  const text = [
    `Your one-time code for the secure portal of ${input.organisationName} is:`,
    '',
    input.code,
    '',
    `It works once, for ${input.validMinutes} minutes. If you did not ask for it, ignore this`,
    'email: without the code nobody can open your message.',
  ].join('\n');
  return compose({
    from: input.from,
    to: input.to,
    subject: `Your one-time code for ${input.organisationName}`,
    text,
    idDomain: input.idDomain,
  });
}

function compose(mail: {
  from: string;
  to: string;
  subject: string;
  text: string;
  idDomain: string;
}): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: `<${randomUUID()}@${mail.idDomain}>`,
    date: new Date(),
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
  return new Promise<Buffer>((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

// UTC with the zone named: the recipient's own time zone is not known.
function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
