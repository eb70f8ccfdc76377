import { randomBytes } from 'node:crypto';
import { type AcceptedMessage, PortalLinkIssuer } from '@sealpost/messaging';
import { SmtpSink } from '@sealpost/test-peers';
import { simpleParser } from 'mailparser';
import { aMessageBody, anAddress } from '../testing/message-body';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';
import { PORTAL_CSP } from './portal-security-headers.middleware';

const IP_LIMIT = 25;
const LINK = /\/portal\/([A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22})/;

interface Page {
  status: number;
  headers: Headers;
  text: string;
}

describe('portal pages and revoke route (real PostgreSQL, Redis and SMTP sink)', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let org: Tenant;
  let otherOrg: Tenant;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    api = await startTestApi({
      SEALPOST_TRANSPORT_MAP: `portal.test=127.0.0.1:${sink.port}`,
      SEALPOST_PORTAL_IP_LIMIT: String(IP_LIMIT),
    });
    org = await createTenant(api);
    otherOrg = await createTenant(api);
  });

  afterAll(async () => {
    await api?.close();
    await sink?.close();
  });

  async function page(method: string, path: string, form?: Record<string, string>, cookie = '') {
    const response = await fetch(api.baseUrl + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** Accepts a message through the API and issues its portal link as delivery would. */
  async function portalMessage(body = aMessageBody({ to: [anAddress('portal.test')] })) {
    const sent = await call<AcceptedMessage>(api, 'POST', '/v1/messages', {
      token: org.token,
      body,
    });
    const recipient = sent.body.recipients[0];
    const notice = await api.app.get(PortalLinkIssuer).composeNotice({
      organisationId: org.organisationId,
      messageId: sent.body.id,
      recipientId: recipient.id,
      address: recipient.address,
      from: body.from,
    });
    const link = LINK.exec((await simpleParser(notice)).text ?? '')?.[1] ?? '';
    return { link, messageId: sent.body.id, recipientId: recipient.id, body };
  }

  /** Verifies a code from the sink; returns the session cookie as a browser would send it. */
  async function signIn(link: string): Promise<string> {
    return (await signInHeader(link)).split(';')[0];
  }

  async function signInHeader(link: string): Promise<string> {
    const before = sink.messages.length;
    expect((await page('POST', `/portal/${link}/code`)).status).toBe(303);
    await sink.waitFor(before + 1, 5000);
    const code = /\b(\d{8})\b/.exec((await simpleParser(sink.messages[before].raw)).text ?? '');
    const verified = await page('POST', `/portal/${link}/verify`, { code: code?.[1] ?? '' });
    expect(verified.status).toBe(303);
    return verified.headers.get('set-cookie') ?? '';
  }

  function expectPortalHeaders(response: Page): void {
    expect(response.headers.get('content-security-policy')).toBe(PORTAL_CSP);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  }

  it('serves pages with a strict CSP, no caching, no script and a language', async () => {
    const { link } = await portalMessage();

    const pages = [
      await page('GET', `/portal/${link}`),
      await page('GET', `/portal/${'A'.repeat(43)}.${'B'.repeat(22)}`),
    ];

    for (const response of pages) {
      expectPortalHeaders(response);
      expect(response.text).toContain('<html lang="en">');
      expect(response.text).not.toMatch(/<script|https?:\/\//i);
    }
    expect(pages[0].status).toBe(200);
    expect(pages[0].text).toContain('<label for="code">');
    expect(pages[1].status).toBe(404);
  });

  it('sets an HttpOnly SameSite=Strict cookie and escapes the message it shows', async () => {
    const subject = `<script>alert(1)</script> ${randomBytes(3).toString('hex')}`;
    const text = `Take <b>two</b> & call "us" ${randomBytes(3).toString('hex')}`;
    const { link } = await portalMessage(
      aMessageBody({ to: [anAddress('portal.test')], subject, text }),
    );

    const setCookie = await signInHeader(link);
    const cookie = setCookie.split(';')[0];
    const shown = await page('GET', `/portal/${link}/message`, undefined, cookie);

    expect(cookie).toMatch(/^sealpost_portal=[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toContain(`; Path=/portal/${link}`);
    expect(shown.status).toBe(200);
    expectPortalHeaders(shown);
    expect(shown.text).not.toContain('<script>alert(1)</script>');
    expect(shown.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(shown.text).toContain(
      `Take &lt;b&gt;two&lt;/b&gt; &amp; call &quot;us&quot; ${text.slice(-6)}`,
    );
  });

  it('refuses a reply without the form token and accepts nothing', async () => {
    const { link, messageId } = await portalMessage();
    const cookie = await signIn(link);
    const count = async () =>
      Number(
        (
          await api.dataSource.query<{ count: string }[]>(
            'SELECT count(*) FROM messages WHERE organisation_id = $1',
            [org.organisationId],
          )
        )[0].count,
      );
    const before = await count();

    const forged = await page('POST', `/portal/${link}/reply`, { text: 'hi', _csrf: 'x' }, cookie);
    const anonymous = await page('POST', `/portal/${link}/reply`, { text: 'hi' });

    expect(forged.status).toBe(403);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/portal/${link}?ended=1`);
    expect(await count()).toBe(before);
    expect(messageId).toBeDefined();
  });

  it('downloads an attachment as a file, never as a page', async () => {
    const content = randomBytes(64).toString('base64');
    const { link } = await portalMessage(
      aMessageBody({
        to: [anAddress('portal.test')],
        attachments: [{ filename: 'scan.html', contentType: 'text/html', content }],
      }),
    );
    const cookie = await signIn(link);

    const file = await page('GET', `/portal/${link}/attachments/0`, undefined, cookie);

    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^application\/octet-stream/);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="scan.html"/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('revokes through the API for the own organisation only (404 for another)', async () => {
    const { link, messageId, recipientId } = await portalMessage();
    const path = `/v1/messages/${messageId}/recipients/${recipientId}/portal/revoke`;

    const unauthenticated = await call(api, 'POST', path);
    const foreign = await call<{ code: string }>(api, 'POST', path, { token: otherOrg.token });
    const stillOpen = await page('GET', `/portal/${link}`);
    const revoked = await call<{ revokedAt: string }>(api, 'POST', path, { token: org.token });
    const refused = await page('GET', `/portal/${link}`);

    expect(unauthenticated.status).toBe(401);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    expect(stillOpen.status).toBe(200);
    expect(revoked.status).toBe(200);
    expect(Date.parse(revoked.body.revokedAt)).not.toBeNaN();
    expect(refused.status).toBe(410);
    expect(refused.text).toContain('The sender withdrew this link.');
  });

  it('sets a passphrase for the own organisation only; the page then offers it', async () => {
    const { link, messageId, recipientId } = await portalMessage();
    const path = `/v1/messages/${messageId}/recipients/${recipientId}/portal/passphrase`;
    const body = { passphrase: 'blue heron at noon' };

    const before = await page('GET', `/portal/${link}`);
    const foreign = await call(api, 'PUT', path, { token: otherOrg.token, body });
    const tooShort = await call(api, 'PUT', path, { token: org.token, body: { passphrase: 'x' } });
    const set = await call(api, 'PUT', path, { token: org.token, body });
    const after = await page('GET', `/portal/${link}`);
    const cookie = (
      await page('POST', `/portal/${link}/passphrase`, { passphrase: body.passphrase })
    ).headers.get('set-cookie');

    expect(before.text).not.toContain('id="passphrase"');
    expect([foreign.status, tooShort.status, set.status]).toEqual([404, 422, 204]);
    expect(after.text).toContain('<label for="passphrase">');
    expect(cookie).toMatch(/^sealpost_portal=/);
  });

  // Last: it spends this address's allowance.
  it('answers 429 with a page and Retry-After after too many tries from one address', async () => {
    const { link } = await portalMessage();

    let response: Page | undefined;
    for (let attempt = 0; attempt <= IP_LIMIT; attempt += 1) {
      response = await page('POST', `/portal/${link}/verify`, { code: '00000000' });
      if (response.status === 429) {
        break;
      }
    }

    expect(response?.status).toBe(429);
    expect(Number(response?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response?.text).toContain('Too many attempts from your network.');
  });
});
