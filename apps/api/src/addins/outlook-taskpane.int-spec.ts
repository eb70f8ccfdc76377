import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Clock } from '@sealpost/core';
import { FakeClock } from '@sealpost/core/testing';
import { generateOrganisationKey } from '@sealpost/encryption';
import { loadAddinAssets } from '@sealpost/outlook-addin';
import { bundleOutlookAddin } from '@sealpost/outlook-addin/build';
import { type Browser, chromium, type Page } from 'playwright-core';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';
import { signInKit } from '../users/testing/sign-in-kit';
import { OUTLOOK_ADDIN_ASSETS } from './addin-assets.provider';

// The task pane as Outlook shows it: the bundle the build makes, served by the real api, in
// headless Chromium (Debian's package). Outlook itself cannot run here, so its host object is a
// stand-in answering Office.js calls as Office documents them (callbacks with AsyncResult);
// office.js is fetched from Microsoft's CDN by the page, and the browser is handed the stand-in
// instead. The preview the page shows comes from the running api.

const CHROMIUM = process.env.SEALPOST_CHROMIUM ?? '/usr/bin/chromium';
const PUBLIC_URL = 'https://mail.north.example/sealpost';
const KEYED = 'keyed@patients.test';
const UNKEYED = 'unkeyed@patients.test';

/** Office.js stand-in: a compose item with two recipients; session data kept in the page. */
const OFFICE_STAND_IN = `
  (() => {
    const ok = (value) => ({ status: 'succeeded', value });
    const session = {};
    const people = (list) => ({
      getAsync: (done) => done(ok(list.map((emailAddress) => ({ emailAddress })))),
    });
    window.__session = session;
    window.Office = {
      AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
      CoercionType: { Text: 'text' },
      EventType: {
        RecipientsChanged: 'olkRecipientsChanged',
        DialogMessageReceived: 'dialogMessageReceived',
      },
      MailboxEnums: {
        ItemNotificationMessageType: { InformationalMessage: 'informationalMessage' },
      },
      onReady: (callback) => Promise.resolve(callback({ host: 'Outlook' })),
      context: {
        ui: { displayDialogAsync: () => undefined },
        mailbox: {
          userProfile: { emailAddress: 'dana@clinic.example' },
          item: {
            to: people(['${KEYED}']),
            cc: people(['${UNKEYED}']),
            bcc: people([]),
            from: { getAsync: (done) => done(ok({ emailAddress: 'dana@clinic.example' })) },
            subject: { getAsync: (done) => done(ok('Follow-up')) },
            body: { getAsync: (_type, done) => done(ok('Please call the clinic.')) },
            sessionData: {
              getAsync: (key, done) => key in session
                ? done(ok(session[key]))
                : done({ status: 'failed', error: { message: 'not found' } }),
              setAsync: (key, value, done) => { session[key] = value; done(ok()); },
            },
            notificationMessages: {
              replaceAsync: (_key, _message, done) => done(ok()),
              removeAsync: (_key, done) => done(ok()),
            },
            addHandlerAsync: (_type, _handler, done) => done && done(ok()),
            getInitializationContextAsync: (done) => window.__context
              ? done(ok(window.__context))
              : done({ status: 'failed', error: { message: 'no context' } }),
          },
        },
      },
    };
  })();
`;

describe('Outlook task pane in headless Chromium (real api, Office host stand-in)', () => {
  const clock = new FakeClock();
  let bundleDir: string;
  let api: TestApi;
  let tenant: Tenant;
  let browser: Browser;
  let addinToken: string;

  beforeAll(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), 'sealpost-addin-'));
    const sources = resolve(__dirname, '../../../../connectors/outlook-addin/src');
    await bundleOutlookAddin(sources, bundleDir);
    const assets = loadAddinAssets(bundleDir);
    api = await startTestApi({ SEALPOST_PUBLIC_URL: PUBLIC_URL }, (module) =>
      module
        .overrideProvider(Clock)
        .useValue(clock)
        .overrideProvider(OUTLOOK_ADDIN_ASSETS)
        .useValue(assets),
    );
    tenant = await createTenant(api, ['admin']);

    const key = await generateOrganisationKey('Patient', KEYED, 'curve25519-legacy');
    const uploaded = await call(api, 'POST', '/v1/keys/pgp', {
      token: tenant.token,
      body: { address: KEYED, armoredKey: key.publicArmored },
    });
    expect(uploaded.status).toBe(201);

    const kit = signInKit(api, clock, tenant.token);
    const session = await kit.sessionOf(await kit.enrol('sender'));
    const issued = await call<{ token: string }>(api, 'POST', '/v1/addin/tokens', {
      token: session,
      body: { client: 'outlook' },
    });
    addinToken = issued.body.token;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  async function openTaskPane(token: string | null, context?: string): Promise<Page> {
    const page = await browser.newPage();
    if (context) {
      await page.addInitScript((value) => ((window as any).__context = value), context);
    }
    await page.route('https://appsforoffice.microsoft.com/**', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: OFFICE_STAND_IN }),
    );
    if (token) {
      await page.addInitScript(
        (value) => localStorage.setItem('sealpost.addinToken', value),
        token,
      );
    }
    await page.goto(`${api.baseUrl}/addins/outlook/taskpane.html`);
    return page;
  }

  it('lists each recipient with the method the api previews and why', async () => {
    const page = await openTaskPane(addinToken);

    const items = page.locator('#recipients li');
    await items.nth(1).waitFor();
    const rows = await items.evaluateAll((elements) =>
      elements.map((element) => ({
        address: element.querySelector('strong')?.textContent,
        method: element.querySelector('.method')?.textContent,
        reasons: element.querySelector('.reasons')?.textContent,
      })),
    );
    expect(rows).toEqual([
      {
        address: KEYED,
        method: 'PGP encrypted',
        reasons: expect.stringContaining('PGP key known'),
      },
      { address: UNKEYED, method: 'Secure portal', reasons: expect.stringContaining('no PGP key') },
    ]);
    await page.close();
  });

  it('Send securely switched on stays with the draft and previews with the header', async () => {
    const page = await openTaskPane(addinToken);
    await page.locator('#recipients li').first().waitFor();

    await page.locator('#secure').check();

    await page.getByText('This message will be sent securely.').waitFor();
    const session = await page.evaluate(() => (window as any).__session);
    expect(session).toEqual({ 'sealpost.secure': '1' });
    const reasons = await page.locator('#recipients li .reasons').first().textContent();
    expect(reasons).toContain('X-Sealpost-Encrypt header');
    await page.close();
  });

  it('opened by the Smart Alert, switches Send securely on by itself', async () => {
    const opened = await openTaskPane(addinToken, JSON.stringify({ reason: 'phi' }));

    await opened.getByText('This message will be sent securely.').waitFor();
    expect(await opened.locator('#secure').isChecked()).toBe(true);
    await opened.close();
  });

  it('asks a person without a token to sign in', async () => {
    const page = await openTaskPane(null);

    await page.locator('#sign-in').waitFor();
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    await page.close();
  });

  it('asks again to sign in when the token no longer works', async () => {
    const page = await openTaskPane('spa_revoked-or-made-up');

    await page.locator('#sign-in').waitFor({ state: 'visible' });
    await page.close();
  });

  it('serves pages with a CSP Office allows, and hashed files as immutable', async () => {
    const page = await call(api, 'GET', '/addins/outlook/taskpane.html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' https://appsforoffice.microsoft.com");
    expect(csp).toContain('frame-ancestors');
    expect(csp).toContain('https://outlook.office.com');
    expect(page.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate');

    const script = /src="(taskpane-[A-Z0-9]+\.js)"/.exec(page.text)?.[1];
    const hashed = await call(api, 'GET', `/addins/outlook/${script}`);
    expect(hashed.status).toBe(200);
    expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const traversal = await call(api, 'GET', '/addins/outlook/..%2F..%2F..%2Fpackage.json');
    expect(traversal.status).toBe(404);
    expect((await call(api, 'GET', '/addins/outlook/catalog.json')).status).toBe(404);
  });

  it('serves manifests and the send handler made for the configured public URL', async () => {
    const xml = await call(api, 'GET', '/addins/outlook/manifest.xml');
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toContain('application/xml');
    const taskpane = `${PUBLIC_URL}/addins/outlook/taskpane.html`;
    expect(xml.text).toContain(`<SourceLocation DefaultValue="${taskpane}"/>`);

    const unified = await call<any>(api, 'GET', '/addins/outlook/manifest.json');
    expect(unified.body.extensions[0].runtimes[0].code.script).toBe(
      `${PUBLIC_URL}/addins/outlook/commands.js`,
    );

    const commands = await call(api, 'GET', '/addins/outlook/commands.js');
    expect(commands.text.startsWith(`var SEALPOST_BASE_URL = "${PUBLIC_URL}";`)).toBe(true);

    const icon = await call(api, 'GET', '/addins/outlook/icon-80.png');
    expect(icon.headers.get('content-type')).toBe('image/png');
  });
});
