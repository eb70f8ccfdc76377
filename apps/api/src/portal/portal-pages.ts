import { type PortalMessage } from '@sealpost/messaging';
import { escapeHtml, Html, html, layout, type PageOptions } from './portal-html';

type Notice = PageOptions['notice'];

/** Where every form and link of one portal link points; the token was checked before. */
export function portalPath(link: string, rest = ''): string {
  return `/portal/${encodeURIComponent(link)}${rest}`;
}

const requestCodeForm = (link: string, label: string) =>
  html` <form method="post" action="${portalPath(link, '/code')}">
    <button type="submit">${label}</button>
  </form>`;

/** Asks for the one-time code, and offers to send one. */
export function verifyPage(link: string, notice?: Notice, hasPassphrase = false): string {
  const passphraseForm = hasPassphrase
    ? html`<h2>Or use your passphrase</h2>
        <form method="post" action="${portalPath(link, '/passphrase')}">
          <label for="passphrase">Passphrase the sender gave you</label>
          <input
            type="password"
            id="passphrase"
            name="passphrase"
            autocomplete="off"
            maxlength="200"
            required
          />
          <button type="submit">Open with passphrase</button>
        </form>`
    : '';
  return layout({
    title: 'Open your secure message',
    notice,
    body: html` <p>
        To keep this message private, we check that it is you. We send a one-time code to the email
        address this message was sent to.
      </p>
      ${requestCodeForm(link, 'Email me a code')}
      <h2>Enter your code</h2>
      <form method="post" action="${portalPath(link, '/verify')}">
        <label for="code">One-time code (8 digits)</label>
        <input
          type="text"
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9 -]{8,12}"
          maxlength="12"
          required
          aria-describedby="code-help"
        />
        <p id="code-help">The code works once and for 10 minutes.</p>
        <button type="submit">Open message</button>
      </form>
      ${passphraseForm}`,
  });
}

/** After five wrong codes: only a new code opens the link again. */
export function lockedPage(link: string): string {
  return layout({
    title: 'Too many wrong codes',
    notice: {
      kind: 'alert',
      text: 'This link is locked after five wrong codes. Ask for a new code to unlock it.',
    },
    body: requestCodeForm(link, 'Email me a new code'),
  });
}

export function messagePage(
  link: string,
  message: PortalMessage,
  csrfToken: string,
  notice?: Notice,
): string {
  const attachments = message.attachments.length
    ? html`<h2>Attachments</h2>
        <ul>
          ${message.attachments.map(
            (attachment) =>
              html`<li>
                <a href="${portalPath(link, `/attachments/${attachment.index}`)}" download
                  >${attachment.filename}</a
                >
                (${formatSize(attachment.sizeBytes)})
              </li>`,
          )}
        </ul>`
    : '';
  return layout({
    title: message.subject || '(no subject)',
    notice,
    body: html` <dl class="meta">
        <dt>From</dt>
        <dd>${message.from}</dd>
        <dt>Organisation</dt>
        <dd>${message.organisationName}</dd>
        <dt>Sent</dt>
        <dd>
          <time datetime="${message.sentAt.toISOString()}">${formatDate(message.sentAt)}</time>
        </dd>
      </dl>
      <h2>Message</h2>
      ${messageBody(message.text)} ${attachments}
      <h2>Reply securely</h2>
      <form method="post" action="${portalPath(link, '/reply')}">
        <input type="hidden" name="_csrf" value="${csrfToken}" />
        <label for="reply">Your reply</label>
        <textarea id="reply" name="text" rows="8" maxlength="20000" required></textarea>
        <button type="submit">Send reply</button>
      </form>
      <form method="post" action="${portalPath(link, '/sign-out')}">
        <input type="hidden" name="_csrf" value="${csrfToken}" />
        <button type="submit" class="secondary">Sign out</button>
      </form>`,
  });
}

/** A refusal that says what happened and what to do, and nothing about the message. */
export function problemPage(title: string, text: string, extra = html``): string {
  return layout({ title, notice: { kind: 'alert', text }, body: extra });
}

// Built by hand, not in a template: the text is shown with white-space: pre-wrap, so a
// formatter's line breaks inside this element would show.
function messageBody(text: string): Html {
  return new Html(`<div class="body">${escapeHtml(text)}</div>`);
}

function formatSize(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  return bytes < 1024 * 1024
    ? `${Math.round(bytes / 1024)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
