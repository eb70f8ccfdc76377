/// <reference types="office-js" />
import { officeCall } from './office-async';

/** The header the gateway and delivery honour (libs/encryption, `X-Sealpost-Encrypt: 1`). */
export const ENCRYPT_HEADER = 'X-Sealpost-Encrypt';
/** Per draft, kept by Outlook with the item (Mailbox 1.11 session data). */
const SECURE_KEY = 'sealpost.secure';
const NOTICE_KEY = 'sealpost-secure';

/** What the add-in reads of a draft: only sent to Sealpost for a preview or a PHI check. */
export interface DraftFacts {
  from: string;
  recipients: string[];
  subject: string;
  text: string;
}

/** Whether the sender switched "Send securely" on for this draft. */
export async function isSecure(item: Office.MessageCompose): Promise<boolean> {
  try {
    return (
      (await officeCall<string>((done) => item.sessionData.getAsync(SECURE_KEY, done))) === '1'
    );
  } catch {
    // Outlook reports a key never set as an error: the switch was never turned on.
    return false;
  }
}

/**
 * Whether the pane was opened by the Smart Alert's "Send securely" (its context data), so the
 * person who chose that need not also find the switch. Hosts without the call open it plainly.
 */
export async function openedToSendSecurely(item: Office.MessageCompose): Promise<boolean> {
  if (typeof item.getInitializationContextAsync !== 'function') {
    return false;
  }
  try {
    const context = await officeCall<string>((done) => item.getInitializationContextAsync(done));
    return (JSON.parse(context || '{}') as { reason?: unknown }).reason === 'phi';
  } catch {
    // No context (the pane was opened from the ribbon) is reported as an error.
    return false;
  }
}

export async function setSecure(item: Office.MessageCompose, secure: boolean): Promise<void> {
  await officeCall<void>((done) => item.sessionData.setAsync(SECURE_KEY, secure ? '1' : '0', done));
  if (secure) {
    await officeCall<void>((done) =>
      item.notificationMessages.replaceAsync(
        NOTICE_KEY,
        {
          type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
          message: 'Sealpost will send this message securely.',
          icon: 'Icon.16',
          persistent: false,
        },
        done,
      ),
    );
    return;
  }
  await officeCall<void>((done) => item.notificationMessages.removeAsync(NOTICE_KEY, done)).catch(
    () => undefined,
  );
}

/** True when Outlook took the header; some clients refuse custom headers. */
export async function setEncryptHeader(item: Office.MessageCompose): Promise<boolean> {
  try {
    await officeCall<void>((done) =>
      item.internetHeaders.setAsync({ [ENCRYPT_HEADER]: '1' }, done),
    );
    return true;
  } catch {
    return false;
  }
}

/** Puts the tag in front of the subject unless it is there already (any case). */
export async function tagSubject(item: Office.MessageCompose, tag: string): Promise<void> {
  const subject = await officeCall<string>((done) => item.subject.getAsync(done));
  if (subject.toLowerCase().includes(tag.toLowerCase())) {
    return;
  }
  const tagged = subject.trim() ? `${tag} ${subject}` : tag;
  await officeCall<void>((done) => item.subject.setAsync(tagged, done));
}

export async function readDraft(item: Office.MessageCompose): Promise<DraftFacts> {
  const [to, cc, bcc, subject, text, from] = await Promise.all([
    officeCall<Office.EmailAddressDetails[]>((done) => item.to.getAsync(done)),
    officeCall<Office.EmailAddressDetails[]>((done) => item.cc.getAsync(done)),
    officeCall<Office.EmailAddressDetails[]>((done) => item.bcc.getAsync(done)),
    officeCall<string>((done) => item.subject.getAsync(done)),
    officeCall<string>((done) => item.body.getAsync(Office.CoercionType.Text, done)),
    officeCall<Office.EmailAddressDetails>((done) => item.from.getAsync(done)).catch(
      () => undefined,
    ),
  ]);
  const recipients = [...to, ...cc, ...bcc].map((entry) => entry.emailAddress);
  const sender = from?.emailAddress ?? Office.context.mailbox.userProfile.emailAddress;
  return { from: sender, recipients, subject, text };
}
