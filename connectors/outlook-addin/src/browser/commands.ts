/// <reference types="office-js" />
import { isSecure, setSecure } from './compose-item';
import { handleMessageSend } from './on-message-send';
import { SealpostAddinApi } from './sealpost-api';
import { addinTokenStore, sealpostBaseUrl } from './token-store';

// The function file: the ribbon's "Send securely" switch and the OnMessageSend handler. Ids
// match the manifests (toggleSecure, onMessageSendHandler).

function composeItem(): Office.MessageCompose {
  return Office.context.mailbox.item as Office.MessageCompose;
}

async function toggleSecure(event: Office.AddinCommands.Event): Promise<void> {
  const item = composeItem();
  try {
    await setSecure(item, !(await isSecure(item)));
  } finally {
    event.completed();
  }
}

function onMessageSendHandler(event: Office.MailboxEvent): Promise<void> {
  const api = new SealpostAddinApi(sealpostBaseUrl(), addinTokenStore());
  return handleMessageSend(event, composeItem(), api);
}

Office.onReady(() => undefined).catch(() => undefined);
Office.actions.associate('toggleSecure', (event: Office.AddinCommands.Event) => {
  void toggleSecure(event);
});
Office.actions.associate('onMessageSendHandler', (event: Office.MailboxEvent) => {
  void onMessageSendHandler(event);
});
