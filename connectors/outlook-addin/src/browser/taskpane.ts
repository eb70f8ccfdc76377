/// <reference lib="dom" />
/// <reference types="office-js" />
import {
  ENCRYPT_HEADER,
  isSecure,
  openedToSendSecurely,
  readDraft,
  setSecure,
} from './compose-item';
import { renderRecipients } from './recipient-list';
import { SealpostAddinApi, SignInRequired } from './sealpost-api';
import { addinTokenStore, sealpostBaseUrl } from './token-store';

const tokens = addinTokenStore();
const api = new SealpostAddinApi(sealpostBaseUrl(), tokens);

function element<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function composeItem(): Office.MessageCompose {
  return Office.context.mailbox.item as Office.MessageCompose;
}

function showSignedIn(signedIn: boolean): void {
  element('signed-in').hidden = !signedIn;
  element('signed-out').hidden = signedIn;
}

function say(text: string): void {
  element('status').textContent = text;
}

async function refresh(): Promise<void> {
  const item = composeItem();
  const secure = await isSecure(item);
  element<HTMLInputElement>('secure').checked = secure;
  const draft = await readDraft(item);
  if (draft.recipients.length === 0) {
    renderRecipients(element('recipients'), []);
    say('Add recipients to see how each will receive this message.');
    return;
  }

  say('Checking recipients…');
  try {
    const headers: Record<string, string> = secure ? { [ENCRYPT_HEADER]: '1' } : {};
    renderRecipients(element('recipients'), await api.preview(draft, headers));
    say(secure ? 'This message will be sent securely.' : 'How each recipient gets it now:');
  } catch (error) {
    if (error instanceof SignInRequired) {
      showSignedIn(false);
      return;
    }
    say('Sealpost could not be reached. The server still applies your policy when you send.');
  }
}

function signIn(): void {
  const url = `${sealpostBaseUrl()}/addins/outlook/sign-in.html`;
  Office.context.ui.displayDialogAsync(url, { height: 60, width: 30 }, (opened) => {
    if (opened.status === Office.AsyncResultStatus.Failed) {
      say('The sign-in window could not be opened.');
      return;
    }
    const dialog = opened.value;
    dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
      const message = 'message' in arg ? arg.message : '';
      dialog.close();
      void acceptToken(message);
    });
  });
}

async function acceptToken(message: string): Promise<void> {
  const parsed = JSON.parse(message) as { token?: unknown };
  if (typeof parsed.token !== 'string' || !parsed.token.startsWith('spa_')) {
    say('Signing in did not finish.');
    return;
  }
  await tokens.set(parsed.token);
  showSignedIn(true);
  await refresh();
}

async function start(): Promise<void> {
  element('sign-in').addEventListener('click', signIn);
  element('sign-out').addEventListener('click', () => {
    void tokens.clear().then(() => showSignedIn(false));
  });
  element('refresh').addEventListener('click', () => void refresh());
  element<HTMLInputElement>('secure').addEventListener('change', (event) => {
    const secure = (event.target as HTMLInputElement).checked;
    void setSecure(composeItem(), secure).then(refresh);
  });
  composeItem().addHandlerAsync(Office.EventType.RecipientsChanged, () => void refresh());

  if (await openedToSendSecurely(composeItem())) {
    await setSecure(composeItem(), true);
  }
  const signedIn = (await tokens.get()) !== null;
  showSignedIn(signedIn);
  if (signedIn) {
    await refresh();
  }
}

void Office.onReady(() => start());
