/// <reference lib="dom" />
import { type RecipientPreview } from './sealpost-api';

const METHOD_NAMES: Record<string, string> = {
  pgp: 'PGP encrypted',
  smime: 'S/MIME encrypted',
  tls: 'Verified TLS',
  portal: 'Secure portal',
  plain: 'Not encrypted',
  none: 'Not sent',
};

/** One list item per recipient: the method in words and why. Text only, never markup. */
export function renderRecipients(list: HTMLElement, recipients: RecipientPreview[]): void {
  list.replaceChildren(
    ...recipients.map((recipient) => {
      const item = document.createElement('li');
      item.dataset.address = recipient.address;
      item.dataset.method = recipient.method;

      const address = document.createElement('strong');
      address.textContent = recipient.address;
      const method = document.createElement('span');
      method.className = 'method';
      method.textContent =
        recipient.action === 'drop'
          ? 'Will not be sent'
          : (METHOD_NAMES[recipient.method] ?? recipient.method);
      const reasons = document.createElement('p');
      reasons.className = 'reasons';
      reasons.textContent = [...recipient.protectionReasons, ...recipient.reasons].join('; ');

      item.append(address, method, reasons);
      return item;
    }),
  );
}
