import { generateOrganisationKey } from '@sealpost/encryption';
import { issueEmailCertificate, type TestCa } from '@sealpost/test-peers';
import { callApi } from './bench-mail';

/** One recipient per method, on its own domain so each reaches its own sink. */
export const METHOD_DOMAINS = {
  pgp: 'pgp.bench.test',
  smime: 'smime.bench.test',
  tls: 'tls.bench.test',
  portal: 'portal.bench.test',
} as const;
export type BenchMethod = keyof typeof METHOD_DOMAINS;

export const PGP_ADDRESS = `patient@${METHOD_DOMAINS.pgp}`;
export const SMIME_ADDRESS = `doctor@${METHOD_DOMAINS.smime}`;

export interface Recipients {
  pgpPublicKey: string;
  smimeCertificate: string;
}

interface PolicyBody {
  domainOverrides: { domain: string; action: string }[];
  [field: string]: unknown;
}

interface Preview {
  recipients: { address: string; method: string; action: string; reasons: string[] }[];
}

/**
 * Prepares the organisation through the api as an admin would: a Curve25519 key for the PGP
 * recipient (made here with openpgp), an RSA-2048 certificate from `ca` for the S/MIME one,
 * and a force-portal override for the portal domain.
 */
export async function prepareRecipients(
  apiUrl: string,
  token: string,
  ca: TestCa,
): Promise<Recipients> {
  const key = await generateOrganisationKey('Bench Patient', PGP_ADDRESS, 'curve25519-legacy');
  await callApi(apiUrl, token, 'POST', '/v1/keys/pgp', {
    address: PGP_ADDRESS,
    armoredKey: key.publicArmored,
  });
  const certificate = issueEmailCertificate(ca, SMIME_ADDRESS);
  await callApi(apiUrl, token, 'POST', '/v1/certificates/smime', {
    address: SMIME_ADDRESS,
    certificate: certificate.certPem,
  });

  const policy = await callApi<PolicyBody>(apiUrl, token, 'GET', '/v1/policy');
  await callApi(apiUrl, token, 'PUT', '/v1/policy', {
    ...policy,
    domainOverrides: [{ domain: METHOD_DOMAINS.portal, action: 'force-portal' }],
  });
  return { pgpPublicKey: key.publicArmored, smimeCertificate: certificate.certPem };
}

/** The method the api's preview gives each bench recipient: what the run will measure. */
export async function previewMethods(
  apiUrl: string,
  token: string,
  addresses: Record<BenchMethod, string>,
): Promise<Record<BenchMethod, string>> {
  const methods = Object.keys(addresses) as BenchMethod[];
  const preview = await callApi<Preview>(apiUrl, token, 'POST', '/v1/policy/preview', {
    from: 'bench@sealpost.test',
    recipients: methods.map((method) => addresses[method]),
    subject: 'Bench',
  });
  return Object.fromEntries(
    methods.map((method, index) => {
      const { method: chosen, action } = preview.recipients[index];
      return [method, action === 'send' ? chosen : 'held'];
    }),
  ) as Record<BenchMethod, string>;
}
