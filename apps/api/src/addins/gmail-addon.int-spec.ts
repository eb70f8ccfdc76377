import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { DEFAULT_POLICY, requiresProtection } from '@sealpost/encryption';
import { GMAIL_ADDON_SCOPES } from '@sealpost/gmail-addon';
import { createTestCa } from '@sealpost/test-peers';
import { SignJWT } from 'jose';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

// The Gmail add-on's endpoints as Google calls them. Google cannot be reached from here, so its
// part is played by what it documents: ID tokens (RS256, issuer accounts.google.com) signed by
// a key whose certificate is published as PEM by key id, here from a loopback server. Everything
// on Sealpost's side is the real api on a real database.

const PUBLIC_URL = 'https://sealpost.north.example';
const SERVICE_ACCOUNT = 'service-1234@gcp-sa-gsuiteaddons.iam.gserviceaccount.com';
const CLIENT_ID = '1234-addon.apps.googleusercontent.com';
const ENDPOINT = (name: string) => `${PUBLIC_URL}/addins/gmail/${name}`;

interface Signer {
  kid: string;
  key: KeyObject;
  certPem: string;
}

function newSigner(): Signer {
  const ca = createTestCa('Google test signer');
  return { kid: randomUUID(), key: createPrivateKey(ca.keyPem), certPem: ca.certPem };
}

async function idToken(
  signer: Signer,
  claims: Record<string, unknown>,
  options: { audience: string; expiresIn?: number; issuer?: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email_verified: true, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? 'https://accounts.google.com')
    .setAudience(options.audience)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(signer.key);
}

describe('Gmail add-on endpoints (real api, Google played by its documented tokens)', () => {
  const google = newSigner();
  const stranger = newSigner();
  let certs: Server;
  let api: TestApi;
  let tenant: Tenant;
  let email: string;

  beforeAll(async () => {
    certs = createServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'max-age=60',
      });
      response.end(JSON.stringify({ [google.kid]: google.certPem }));
    });
    await new Promise<void>((resolve) => certs.listen(0, '127.0.0.1', resolve));
    const { port } = certs.address() as AddressInfo;

    api = await startTestApi({
      SEALPOST_PUBLIC_URL: PUBLIC_URL,
      SEALPOST_GOOGLE_CERTS_URL: `http://127.0.0.1:${port}/certs`,
      SEALPOST_GMAIL_ADDON_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
      SEALPOST_GMAIL_ADDON_CLIENT_ID: CLIENT_ID,
    });
    tenant = await createTenant(api, ['messages:send', 'messages:read']);
    email = `dana-${randomUUID()}@clinic.example`;
    await api.dataSource.query(
      `INSERT INTO users (organisation_id, email, name, role, status)
       VALUES ($1, $2, 'Dana Lee', 'sender', 'active')`,
      [tenant.organisationId, email],
    );
  });

  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => certs?.close(resolve));
  });

  async function systemToken(endpoint: string, overrides: Record<string, unknown> = {}) {
    return idToken(
      google,
      { email: SERVICE_ACCOUNT, ...overrides },
      { audience: ENDPOINT(endpoint) },
    );
  }

  async function userToken(address = email) {
    return idToken(google, { email: address, sub: '1098' }, { audience: CLIENT_ID });
  }

  async function post(endpoint: string, bearer: string, event: Record<string, unknown>) {
    return call<any>(api, 'POST', `/addins/gmail/${endpoint}`, {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      body: event,
    });
  }

  async function composeEvent(recipients: string[]) {
    return {
      commonEventObject: { hostApp: 'GMAIL', platform: 'WEB' },
      authorizationEventObject: { userIdToken: await userToken() },
      gmail: { toRecipients: recipients, ccRecipients: [], bccRecipients: [] },
    };
  }

  it('asks for every scope again when the person granted only some', async () => {
    const event = await composeEvent([]);
    const partial = {
      ...event,
      authorizationEventObject: {
        ...event.authorizationEventObject,
        authorizedScopes: ['https://www.googleapis.com/auth/gmail.addons.execute'],
      },
    };
    const reply = await post('compose', await systemToken('compose'), partial);
    expect(reply.body).toEqual({ requesting_google_scopes: { all_scopes: true } });

    const all = {
      ...event,
      authorizationEventObject: {
        ...event.authorizationEventObject,
        authorizedScopes: [...GMAIL_ADDON_SCOPES],
      },
    };
    const granted = await post('compose', await systemToken('compose'), all);
    expect(granted.body.renderActions).toBeDefined();
  });

  describe('request verification', () => {
    it('accepts a token Google signed for this endpoint and the service account', async () => {
      const reply = await post('compose', await systemToken('compose'), await composeEvent([]));
      expect(reply.status).toBe(200);
    });

    it('refuses a token for another endpoint (wrong audience) with 401', async () => {
      const reply = await post('compose', await systemToken('homepage'), await composeEvent([]));
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('unauthenticated');
    });

    it('refuses an expired token', async () => {
      const expired = await idToken(
        google,
        { email: SERVICE_ACCOUNT },
        { audience: ENDPOINT('compose'), expiresIn: -3600 },
      );
      expect((await post('compose', expired, await composeEvent([]))).status).toBe(401);
    });

    it('refuses an unsigned token (alg none)', async () => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const unsigned = [
        encode({ alg: 'none', typ: 'JWT', kid: google.kid }),
        encode({
          iss: 'https://accounts.google.com',
          aud: ENDPOINT('compose'),
          email: SERVICE_ACCOUNT,
          email_verified: true,
          iat: now,
          exp: now + 3600,
        }),
        '',
      ].join('.');
      expect((await post('compose', unsigned, await composeEvent([]))).status).toBe(401);
    });

    it('refuses a token signed by a key Google does not publish', async () => {
      const forged = await idToken(
        stranger,
        { email: SERVICE_ACCOUNT },
        { audience: ENDPOINT('compose') },
      );
      expect((await post('compose', forged, await composeEvent([]))).status).toBe(401);
    });

    it("refuses a Google token of another service account (another project's add-on)", async () => {
      const other = await systemToken('compose', {
        email: 'service-9@gcp-sa-gsuiteaddons.iam.gserviceaccount.com',
      });
      expect((await post('compose', other, await composeEvent([]))).status).toBe(401);
    });

    it('refuses a request without a token', async () => {
      expect((await post('compose', '', await composeEvent([]))).status).toBe(401);
    });

    it('refuses a user ID token issued for another client', async () => {
      const event = await composeEvent([]);
      event.authorizationEventObject.userIdToken = await idToken(
        google,
        { email },
        { audience: 'someone-else.apps.googleusercontent.com' },
      );
      expect((await post('compose', await systemToken('compose'), event)).status).toBe(401);
    });

    it('asks for the scopes when Google sent no user ID token', async () => {
      const reply = await post('homepage', await systemToken('homepage'), {
        commonEventObject: { hostApp: 'GMAIL' },
        authorizationEventObject: {},
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ requesting_google_scopes: { all_scopes: true } });
    });
  });

  it('compose card: recipients with method and reasons, subject field, Send securely', async () => {
    const reply = await post(
      'compose',
      await systemToken('compose'),
      await composeEvent(['patient@example.test', 'not an address']),
    );

    expect(reply.status).toBe(200);
    const card = reply.body.renderActions.action.navigations[0].pushCard;
    expect(card.header).toEqual({
      title: 'Sealpost',
      subtitle: 'Sent securely, each recipient gets',
    });
    const [rows, actions] = card.sections;
    expect(rows.widgets).toHaveLength(1);
    expect(rows.widgets[0].decoratedText).toMatchObject({
      topLabel: 'patient@example.test',
      text: expect.any(String),
      wrapText: true,
    });
    expect(rows.widgets[0].decoratedText.bottomLabel.length).toBeGreaterThan(0);
    expect(actions.widgets[0].textInput).toMatchObject({ name: 'subject', type: 'SINGLE_LINE' });
    expect(actions.widgets[1].buttonList.buttons).toEqual([
      { text: 'Send securely', onClick: { action: { function: ENDPOINT('send-securely') } } },
    ]);
  });

  it('Send securely answers a draft update that puts the subject tag in front', async () => {
    const event = {
      ...(await composeEvent([])),
      commonEventObject: {
        hostApp: 'GMAIL',
        formInputs: { subject: { stringInputs: { value: ['Lab results'] } } },
      },
    };
    const reply = await post('send-securely', await systemToken('send-securely'), event);

    expect(reply.status).toBe(200);
    const subject = reply.body.renderActions.hostAppAction.gmailAction.updateDraftActionMarkup
      .updateSubject.subject as string;
    const rulesOnly = {
      ...DEFAULT_POLICY,
      protection: { ...DEFAULT_POLICY.protection, mode: 'rules' as const },
    };
    const facts = { from: email, subject, headers: {}, recipientDomain: 'example.test' };
    expect(requiresProtection(rulesOnly, facts).reasons).toEqual(['subject tag']);
    expect(reply.body.renderActions.hostAppAction).toEqual({
      gmailAction: {
        updateDraftActionMarkup: { updateSubject: { subject: '[secure] Lab results' } },
      },
    });
    expect(reply.body.renderActions.action.notification.text).toContain('securely');
  });

  it("homepage card: the user's recent secure messages, no subjects or addresses", async () => {
    const sent = await call<any>(api, 'POST', '/v1/messages', {
      token: tenant.token,
      body: { from: `Dana <${email}>`, to: ['pat@example.test'], subject: 'Biopsy', text: 'x' },
    });
    expect(sent.status).toBe(202);
    await api.dataSource.query(
      `UPDATE message_recipients SET method = 'portal', status = 'delivered' WHERE message_id = $1`,
      [sent.body.id],
    );

    const reply = await post('homepage', await systemToken('homepage'), {
      commonEventObject: { hostApp: 'GMAIL' },
      authorizationEventObject: { userIdToken: await userToken() },
    });

    expect(reply.status).toBe(200);
    const card = reply.body.renderActions.action.navigations[0].pushCard;
    expect(card.sections[0].widgets).toEqual([
      {
        decoratedText: {
          topLabel: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
          text: '1 recipient',
          bottomLabel: 'Secure portal',
        },
      },
    ]);
    expect(JSON.stringify(reply.body)).not.toMatch(/Biopsy|pat@example/);
  });

  it('logs endpoints and ids, never addresses, subjects or tokens', async () => {
    const lines: string[] = [];
    const record = (...args: unknown[]) => void lines.push(JSON.stringify(args));
    const spies = (['log', 'warn', 'error', 'debug'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation(record),
    );
    try {
      const event = await composeEvent(['secret.patient@example.test']);
      await post('compose', await systemToken('compose'), event);
      const refusedToken = await systemToken('homepage');
      await post('compose', refusedToken, event);
      const sent = await post('send-securely', await systemToken('send-securely'), {
        ...event,
        commonEventObject: { formInputs: { subject: { stringInputs: { value: ['Biopsy'] } } } },
      });
      expect(sent.status).toBe(200);

      expect(lines.join('\n')).toContain('gmail add-on');
      for (const secret of ['secret.patient', email, 'Biopsy', refusedToken.slice(-20)]) {
        expect(lines.join('\n')).not.toContain(secret);
      }
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });

  it('tells a Google account without a Sealpost user that it has none', async () => {
    const event = await composeEvent([]);
    event.authorizationEventObject.userIdToken = await userToken('nobody@clinic.example');
    const reply = await post('compose', await systemToken('compose'), event);
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body)).toContain('no Sealpost account');
  });

  it('serves the deployment descriptor with every endpoint under the public URL', async () => {
    const reply = await call<any>(api, 'GET', '/addins/gmail/deployment.json');
    expect(reply.status).toBe(200);
    expect(reply.body.addOns.common.homepageTrigger.runFunction).toBe(ENDPOINT('homepage'));
    expect(reply.body.addOns.gmail.composeTrigger).toMatchObject({
      actions: [{ runFunction: ENDPOINT('compose') }],
      draftAccess: 'METADATA',
    });
    expect(reply.body.addOns.httpOptions.authorizationHeader).toBe('SYSTEM_ID_TOKEN');
    expect(reply.body.oauthScopes).toContain('https://www.googleapis.com/auth/userinfo.email');
  });
});
