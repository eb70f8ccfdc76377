/// <reference types="office-js" />
import { isSecure, readDraft, setEncryptHeader, tagSubject } from './compose-item';
import { type AddinSettings, type PhiCheck, type SealpostAddinApi } from './sealpost-api';

/** Used when Sealpost cannot be asked for the organisation's tag (the policy's default). */
export const DEFAULT_SUBJECT_TAG = '[secure]';
/** The task pane button; the Smart Alert's "Send securely" opens it (manifests use this id). */
export const TASK_PANE_COMMAND_ID = 'sealpostTaskPaneButton';
// Outlook gives an OnMessageSend handler about five minutes, but a person is waiting on it:
// a slow answer is treated as no answer, and the server still enforces the policy.
const CHECK_TIMEOUT_MS = 4_000;

export const PHI_ALERT_MESSAGE =
  'This message looks like it contains protected health information. Send it securely?';

/**
 * The OnMessageSend handler. With "Send securely" on, it sets `X-Sealpost-Encrypt: 1` and
 * puts the subject tag in as well, since some Outlook clients drop custom headers; a header
 * Outlook refuses leaves the tag to do the work. With it off, it asks Sealpost whether the
 * draft trips a PHI detector and, if so, stops the send with a Smart Alert whose button opens
 * the task pane. Whatever fails, the send goes on: enforcement is the gateway's, not ours.
 */
export async function handleMessageSend(
  event: Office.MailboxEvent,
  item: Office.MessageCompose,
  api: SealpostAddinApi,
): Promise<void> {
  try {
    if (await isSecure(item)) {
      const tag = (await settingsQuietly(api))?.subjectTag ?? DEFAULT_SUBJECT_TAG;
      await setEncryptHeader(item);
      await tagSubject(item, tag);
      event.completed({ allowEvent: true });
      return;
    }

    const check = await askQuietly(item, api);
    if (check?.phiDetected) {
      event.completed({
        allowEvent: false,
        errorMessage: PHI_ALERT_MESSAGE,
        cancelLabel: 'Send securely',
        commandId: TASK_PANE_COMMAND_ID,
        contextData: JSON.stringify({ reason: 'phi' }),
        sendModeOverride: Office.MailboxEnums.SendModeOverride.PromptUser,
      });
      return;
    }
    event.completed({ allowEvent: true });
  } catch {
    event.completed({ allowEvent: true });
  }
}

async function settingsQuietly(api: SealpostAddinApi): Promise<AddinSettings | null> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), CHECK_TIMEOUT_MS);
  try {
    return await api.settings(timeout.signal);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function askQuietly(
  item: Office.MessageCompose,
  api: SealpostAddinApi,
): Promise<PhiCheck | null> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), CHECK_TIMEOUT_MS);
  try {
    return await api.phiCheck(await readDraft(item), timeout.signal);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
