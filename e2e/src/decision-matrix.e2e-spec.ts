import { randomBytes } from 'node:crypto';
import { issueEmailCertificate } from '@sealpost/test-peers';
import { decrypt, generateKey, readMessage, readPrivateKey } from 'openpgp';
import { Stack } from './support/stack';
import { startTlsPeers, type TlsPeers, transportMap } from './support/tls-peers';

// The decision of POST /v1/policy/preview for every combination of what Sealpost knows about
// a recipient (PGP key, S/MIME certificate, neither) and what its mail server offers, through
// the running apps. MTA-STS needs MX routing, which the transport map bypasses: that row is
// apps/api/src/policy/mta-sts-preview.int-spec.ts.

type Known = 'key' | 'certificate' | 'neither';
type Server = 'verified' | 'noStartTls' | 'expired' | 'selfSigned' | 'tls10';

const run = randomBytes(3).toString('hex');
const domainOf = (server: Server) => `${server.toLowerCase()}-${run}.test`;
const FORCE_PORTAL = `portal-${run}.test`;
const TLS_EXCLUSIVE = `exclusive-${run}.test`;
const TLS_EXCLUSIVE_EXPIRED = `exclusive-expired-${run}.test`;
const addressOf = (known: Known, domain: string) => `${known}@${domain}`;

// Every route of the transport map is 127.0.0.1, so the probe names the server by its IP.
const VERIFIED = '127.0.0.1 offers TLSv1.3 with a verified certificate';
const TLS_FAILURE: Record<Exclude<Server, 'verified'>, string> = {
  noStartTls: '127.0.0.1 offered no STARTTLS',
  expired: '127.0.0.1 presented an expired certificate',
  selfSigned: '127.0.0.1 presented a self-signed certificate',
  tls10: '127.0.0.1 offers no TLS version of 1.2 or later',
};

interface Expected {
  method: string;
  action: 'send' | 'drop';
  reasons: string[];
}

const SERVERS: Server[] = ['verified', 'noStartTls', 'expired', 'selfSigned', 'tls10'];

/** The default policy's order (PGP, S/MIME, TLS, portal) applied to one recipient. */
function expectedByOrder(known: Known, server: Server): Expected {
  if (known === 'key') {
    return { method: 'pgp', action: 'send', reasons: ['PGP key known'] };
  }
  if (known === 'certificate') {
    return { method: 'smime', action: 'send', reasons: ['no PGP key', 'S/MIME certificate known'] };
  }
  const skipped = ['no PGP key', 'no S/MIME certificate'];
  return server === 'verified'
    ? { method: 'tls', action: 'send', reasons: [...skipped, VERIFIED] }
    : {
        method: 'portal',
        action: 'send',
        reasons: [...skipped, TLS_FAILURE[server], 'secure portal'],
      };
}

const KNOWN: Known[] = ['key', 'certificate', 'neither'];
const BY_ORDER = SERVERS.flatMap((server) =>
  KNOWN.map((known) => [known, server, expectedByOrder(known, server)] as const),
);

// An override is never bypassed: not by a known key, nor by a better method.
const OVERRIDES: [string, Known, string, Expected][] = KNOWN.flatMap((known) => [
  [
    'force-portal',
    known,
    FORCE_PORTAL,
    { method: 'portal', action: 'send', reasons: ['domain override: force portal'] },
  ],
  [
    'tls-exclusive, verified TLS',
    known,
    TLS_EXCLUSIVE,
    { method: 'tls', action: 'send', reasons: ['domain override: TLS exclusive', VERIFIED] },
  ],
  [
    'tls-exclusive, expired certificate',
    known,
    TLS_EXCLUSIVE_EXPIRED,
    {
      method: 'none',
      action: 'drop',
      reasons: ['domain override: TLS exclusive', TLS_FAILURE.expired],
    },
  ],
]);

describe('decision matrix through the running product: keys x mail servers x overrides', () => {
  let peers: TlsPeers;
  let stack: Stack;
  let org: { id: string; token: string };
  let pgpPrivateKeys: Map<string, string>;

  beforeAll(async () => {
    peers = await startTlsPeers();
    const serverSink = {
      verified: peers.good,
      noStartTls: peers.noStartTls,
      expired: peers.expired,
      selfSigned: peers.selfSigned,
      tls10: peers.tls10,
    };
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: peers.caFile,
        SEALPOST_TRANSPORT_MAP: transportMap({
          ...Object.fromEntries(SERVERS.map((server) => [domainOf(server), serverSink[server]])),
          [FORCE_PORTAL]: peers.good,
          [TLS_EXCLUSIVE]: peers.good,
          [TLS_EXCLUSIVE_EXPIRED]: peers.expired,
        }),
      },
    });
    org = await stack.organisation('messages:send,messages:read,keys:manage,policy:manage');

    const domains = [...SERVERS.map(domainOf), FORCE_PORTAL, TLS_EXCLUSIVE, TLS_EXCLUSIVE_EXPIRED];
    pgpPrivateKeys = new Map();
    for (const domain of domains) {
      pgpPrivateKeys.set(domain, await uploadPgpKey(addressOf('key', domain)));
      await uploadCertificate(addressOf('certificate', domain));
    }
    await setOverrides([
      { domain: FORCE_PORTAL, action: 'force-portal' },
      { domain: TLS_EXCLUSIVE, action: 'tls-exclusive' },
      { domain: TLS_EXCLUSIVE_EXPIRED, action: 'tls-exclusive' },
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all((peers?.all ?? []).map((sink) => sink.close()));
  });

  async function uploadPgpKey(address: string): Promise<string> {
    // A v4 Curve25519 key, as GnuPG 2.2 makes them; made with openpgp because it is faster.
    const key = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Patient', email: address }],
      config: { v6Keys: false },
    });
    const reply = await stack.request('POST', '/v1/keys/pgp', {
      token: org.token,
      body: { address, armoredKey: key.publicKey },
    });
    expect(reply.status).toBe(201);
    return key.privateKey;
  }

  async function uploadCertificate(address: string): Promise<void> {
    const reply = await stack.request('POST', '/v1/certificates/smime', {
      token: org.token,
      body: { address, certificate: issueEmailCertificate(peers.ca, address).certPem },
    });
    expect(reply.status).toBe(201);
  }

  async function setOverrides(domainOverrides: { domain: string; action: string }[]) {
    const current = await stack.request('GET', '/v1/policy', { token: org.token });
    const stored = await stack.request('PUT', '/v1/policy', {
      token: org.token,
      body: { ...current.body, domainOverrides },
    });
    expect(stored.status).toBe(200);
  }

  async function preview(recipients: string[]): Promise<(Expected & { address: string })[]> {
    const reply = await stack.request('POST', '/v1/policy/preview', {
      token: org.token,
      body: { from: 'clinic@sender.test', recipients, subject: 'Results' },
    });
    expect(reply.status).toBe(200);
    return reply.body.recipients;
  }

  it.each(BY_ORDER)('%s known, server %s: policy order decides', async (known, server, want) => {
    const [decision] = await preview([addressOf(known, domainOf(server))]);

    expect(decision).toMatchObject({ ...want, protectionRequired: true });
    expect(decision.reasons).toEqual(want.reasons);
  });

  it.each(OVERRIDES)('override %s, %s known', async (_override, known, domain, want) => {
    const [decision] = await preview([addressOf(known, domain)]);

    expect(decision).toMatchObject(want);
    expect(decision.reasons).toEqual(want.reasons);
  });

  it('previews a mixed list in one call, each recipient decided on its own', async () => {
    const recipients = BY_ORDER.map(([known, server]) => addressOf(known, domainOf(server)));

    const decisions = await preview(recipients);

    expect(decisions.map((d) => d.address)).toEqual(recipients);
    expect(decisions.map((d) => d.method)).toEqual(BY_ORDER.map(([, , want]) => want.method));
  });

  it('sends one message to several recipients by mixed methods, recording each', async () => {
    const verified = domainOf('verified');
    const to = [
      addressOf('key', verified),
      addressOf('certificate', verified),
      addressOf('neither', verified),
      addressOf('neither', domainOf('noStartTls')),
      addressOf('key', FORCE_PORTAL),
      addressOf('neither', TLS_EXCLUSIVE_EXPIRED),
    ];
    const text = `Your biopsy result ${randomBytes(4).toString('hex')} is benign.`;
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'Clinic <clinic@sender.test>', to, subject: 'Results', text },
    });
    expect(accepted.status).toBe(202);

    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    const byAddress = new Map<string, any>(settled.recipients.map((r: any) => [r.address, r]));
    const outcome = (address: string) => {
      const r = byAddress.get(address);
      return [r.status, r.method, r.decision.method, r.decision.reasons];
    };

    expect(outcome(to[0])).toEqual(['delivered', 'pgp', 'pgp', ['PGP key known']]);
    expect(outcome(to[1])).toEqual([
      'delivered',
      'smime',
      'smime',
      ['no PGP key', 'S/MIME certificate known'],
    ]);
    expect(outcome(to[2])).toEqual([
      'delivered',
      'tls',
      'tls',
      ['no PGP key', 'no S/MIME certificate', VERIFIED],
    ]);
    expect(outcome(to[3])).toEqual([
      'delivered',
      'portal',
      'portal',
      ['no PGP key', 'no S/MIME certificate', TLS_FAILURE.noStartTls, 'secure portal'],
    ]);
    expect(outcome(to[4])).toEqual([
      'delivered',
      'portal',
      'portal',
      ['domain override: force portal'],
    ]);
    expect(outcome(to[5]).slice(0, 1)).toEqual(['failed']);
    expect(byAddress.get(to[5]).decision.reasons).toEqual([
      'domain override: TLS exclusive',
      TLS_FAILURE.expired,
    ]);

    // What arrived matches what was recorded: the body only where the method protects it.
    const copyFor = (address: string) =>
      peers.all.flatMap((sink) => sink.messages).find((m) => m.to[0] === address)?.raw;
    const pgpCopy = copyFor(to[0]);
    expect(pgpCopy?.toString('latin1')).toContain('multipart/encrypted');
    expect(await openPgp(pgpCopy, pgpPrivateKeys.get(verified))).toContain(text);
    expect(copyFor(to[1])?.toString('latin1')).toContain('application/pkcs7-mime');
    expect(copyFor(to[1])?.toString('latin1')).not.toContain(text);
    expect(copyFor(to[2])?.toString('latin1')).toContain(text);
    for (const portal of [to[3], to[4]]) {
      expect(copyFor(portal)?.toString('latin1')).not.toContain(text);
    }
    expect(copyFor(to[5])).toBeUndefined();

    // The recorded decisions name recipients and servers: another organisation sees none.
    const stranger = await stack.organisation('messages:send,messages:read');
    const foreign = await stack.request('GET', `/v1/messages/${accepted.body.id}`, {
      token: stranger.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(to[0]);
  });
});

/** Opens a PGP/MIME copy with the recipient's private key, as their mail client would. */
async function openPgp(mail: Buffer | undefined, privateArmored: string | undefined) {
  const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(
    mail?.toString('latin1') ?? '',
  )?.[0];
  if (!armored || !privateArmored) {
    throw new Error('no PGP message or no key to open it');
  }
  const { data } = await decrypt({
    message: await readMessage({ armoredMessage: armored }),
    decryptionKeys: await readPrivateKey({ armoredKey: privateArmored }),
  });
  return String(data);
}
