import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { type ParsedMail, simpleParser } from 'mailparser';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AppProcess } from './support/app-process';
import { launchBrowser } from './support/browser';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const unique = () => randomBytes(4).toString('hex');
const LINK = /https?:\/\/\S+\/portal\/[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}/;

interface SentToPortal {
  messageId: string;
  recipientId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachment: { filename: string; content: Buffer };
  notice: ParsedMail;
  noticeRaw: string;
  link: string;
}

/** The first message to `address` that arrived at `sink` after the first `after` ones. */
async function mailTo(sink: SmtpSink, address: string, after: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = sink.messages.slice(after).find((message) => message.to.includes(address));
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error('no mail arrived for the recipient');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('secure portal in headless Chromium', () => {
  let patients: SmtpSink;
  let senders: SmtpSink;
  let stack: Stack;
  let browser: Browser;
  let org: { id: string; token: string };
  const phi: string[] = [];

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-portal-ca-${process.pid}.pem`);
    await writeFile(caFile, ca.certPem);
    const tls = issueCertificate(ca, LOOPBACK_NAMES);
    [patients, senders] = await Promise.all([SmtpSink.start({ tls }), SmtpSink.start({ tls })]);
    stack = await Stack.start({
      workers: 0,
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: [
          `portal.test=127.0.0.1:${patients.port}`,
          `sender.test=127.0.0.1:${senders.port}`,
        ].join(','),
      },
    });
    // The worker writes links, so it must know the api's address, known only now.
    const worker = new AppProcess('worker', {
      ...stack.env,
      SEALPOST_PUBLIC_URL: stack.url(''),
    });
    stack.workers.push(worker);
    await stack.boot(worker);
    org = await stack.organisation('messages:send,messages:read,policy:manage');
    const policy = await stack.request('GET', '/v1/policy', { token: org.token });
    const forced = await stack.request('PUT', '/v1/policy', {
      token: org.token,
      body: {
        ...policy.body,
        domainOverrides: [{ domain: 'portal.test', action: 'force-portal' }],
      },
    });
    expect(forced.status).toBe(200);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await Promise.all([patients?.close(), senders?.close()]);
  });

  /** Sends one message to a new portal.test patient and returns it with its notice. */
  async function sendToPortal(): Promise<SentToPortal> {
    const to = `patient.${unique()}@portal.test`;
    const subject = `Biopsy results ${unique()}`;
    const text = `The biopsy is benign ${unique()}.`;
    const html = `<p>The biopsy is <b>benign</b> ${unique()}.</p>`;
    const attachment = { filename: `report-${unique()}.pdf`, content: randomBytes(4096) };
    phi.push(to, subject, text, html, attachment.filename);
    const before = patients.messages.length;
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: {
        from: 'Dr Grace Hopper <grace@sender.test>',
        to: [to],
        subject,
        text,
        html,
        attachments: [
          {
            filename: attachment.filename,
            contentType: 'application/pdf',
            content: attachment.content.toString('base64'),
          },
        ],
      },
    });
    expect(accepted.status).toBe(202);
    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    expect(settled.recipients[0]).toMatchObject({ status: 'delivered', method: 'portal' });
    const raw = (await mailTo(patients, to, before)).raw;
    const notice = await simpleParser(raw);
    const link = LINK.exec(notice.text ?? '')?.[0] ?? '';
    expect(link).not.toBe('');
    // Not PHI, but a credential: it must stay out of the logs as well.
    phi.push(link.split('/portal/')[1]);
    return {
      messageId: accepted.body.id,
      recipientId: settled.recipients[0].id,
      to,
      subject,
      text,
      html,
      attachment,
      notice,
      noticeRaw: raw.toString('utf8'),
      link,
    };
  }

  /** Clicks "Email me a code" and reads the code from the patient's mailbox. */
  async function requestCode(page: Page, to: string, buttonName: RegExp): Promise<string> {
    const before = patients.messages.length;
    await page.getByRole('button', { name: buttonName }).click();
    const mail = await simpleParser((await mailTo(patients, to, before)).raw);
    const code = /\b(\d{8})\b/.exec(mail.text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{8}$/);
    phi.push(code);
    return code;
  }

  async function enterCode(page: Page, code: string): Promise<void> {
    await page.getByLabel('One-time code (8 digits)').fill(code);
    await page.getByRole('button', { name: 'Open message' }).click();
  }

  async function newContext(): Promise<BrowserContext> {
    return browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  }

  async function eventTypes(messageId: string): Promise<string[]> {
    const view = await stack.request('GET', `/v1/messages/${messageId}`, { token: org.token });
    return view.body.events.map((event: { type: string }) => event.type);
  }

  let first: SentToPortal;

  it('follows the link, gets a code by email, reads, downloads and replies securely', async () => {
    first = await sendToPortal();
    const context = await newContext();
    const page = await context.newPage();

    const opened = await page.goto(first.link);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
    const code = await requestCode(page, first.to, /Email me a code/);
    expect(await page.getByRole('status').textContent()).toContain('We emailed you a code');
    await enterCode(page, code);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(first.subject);
    expect(await page.locator('.body').textContent()).toBe(first.text);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: first.attachment.filename }).click(),
    ]);
    const saved = await readFile((await download.path()) ?? '');
    expect(download.suggestedFilename()).toBe(first.attachment.filename);
    expect(saved.equals(first.attachment.content)).toBe(true);

    const reply = `Thank you, see you on Monday ${unique()}`;
    phi.push(reply);
    const sendersBefore = senders.messages.length;
    await page.getByLabel('Your reply').fill(reply);
    await page.getByRole('button', { name: 'Send reply' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Your reply was sent securely.');
    await context.close();

    await senders.waitFor(sendersBefore + 1);
    const received = senders.messages[sendersBefore];
    const parsed = await simpleParser(received.raw);
    expect(received.to).toEqual(['grace@sender.test']);
    expect(received.secure).toBe(true);
    expect(parsed.replyTo?.value[0].address).toBe(first.to);
    expect(parsed.subject).toBe(`Re: ${first.subject}`);
    expect(parsed.text).toContain(reply);
    expect(await eventTypes(first.messageId)).toEqual(
      expect.arrayContaining([
        'portal.code_sent',
        'portal.verified',
        'portal.viewed',
        'portal.downloaded',
        'portal.replied',
      ]),
    );
  });

  it('locks the link after five wrong codes; a new code opens it again', async () => {
    const sent = await sendToPortal();
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(sent.link);
    const code = await requestCode(page, sent.to, /Email me a code/);
    const wrong = code === '00000000' ? '11111111' : '00000000';

    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await enterCode(page, wrong);
      expect(await page.getByRole('alert').textContent()).toContain(
        `${5 - attempt} ${attempt === 4 ? 'try' : 'tries'} left`,
      );
    }
    await enterCode(page, wrong);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Too many wrong codes',
    );
    const locked = await page.goto(sent.link);
    expect(locked?.status()).toBe(423);
    const fresh = await requestCode(page, sent.to, /Email me a new code/);
    await enterCode(page, fresh);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(sent.subject);
    expect(await eventTypes(sent.messageId)).toEqual(
      expect.arrayContaining(['portal.code_failed', 'portal.locked']),
    );
    await context.close();
  });

  it('refuses expired and revoked links', async () => {
    const expiring = await sendToPortal();
    const revoking = await sendToPortal();
    // The clock cannot be moved in running processes: the operator's view of time passing.
    await stack.sql(
      `UPDATE portal_links SET expires_at = now() - interval '1 second' WHERE recipient_id = $1`,
      [expiring.recipientId],
    );
    const revoked = await stack.request(
      'POST',
      `/v1/messages/${revoking.messageId}/recipients/${revoking.recipientId}/portal/revoke`,
      { token: org.token },
    );
    expect(revoked.status).toBe(200);
    const context = await newContext();
    const page = await context.newPage();

    const expired = await page.goto(expiring.link);
    const expiredText = await page.locator('main').textContent();
    const withdrawn = await page.goto(revoking.link);
    const withdrawnText = await page.locator('main').textContent();

    expect(expired?.status()).toBe(410);
    expect(expiredText).toContain('This link has expired.');
    expect(withdrawn?.status()).toBe(410);
    expect(withdrawnText).toContain('The sender withdrew this link.');
    for (const text of [expiredText, withdrawnText]) {
      expect(text).not.toContain(expiring.subject);
      expect(text).not.toContain(revoking.subject);
    }
    await context.close();
  });

  it('puts no PHI in the notification, nor PHI or link tokens in any log line', () => {
    const { notice, noticeRaw, subject, text, html, attachment, link } = first;

    for (const value of [subject, text, html, attachment.filename]) {
      expect(noticeRaw).not.toContain(value);
    }
    expect(notice.attachments).toHaveLength(0);
    expect(notice.subject).toMatch(/^Secure message from org-/);
    expect(notice.text).toContain('Dr Grace Hopper');
    expect(notice.text).toContain(link);
    expect(notice.text).toMatch(/works until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const logs = stack.logs();
    expect(phi.length).toBeGreaterThan(10);
    for (const value of phi) {
      expect(logs).not.toContain(value);
    }
  });
});
