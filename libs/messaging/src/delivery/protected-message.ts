import { encryptPgpMime, encryptSmime, type VerifiedPgpKeys } from '@sealpost/encryption';
import { type ProtectionPlan } from './protection-planner';
import { type TransportSecurity } from './smtp-connection-pool';

export interface ProtectedMessage {
  raw: Buffer;
  security: TransportSecurity;
  /** Sent with REQUIRETLS on MAIL FROM to the first server, which offered it. */
  requireTls?: boolean;
}

/**
 * Applies the planned method to the composed message: PGP/MIME or S/MIME encrypt the whole
 * entity, so the hop may be opportunistic; `tls` sends it as is over verified TLS only;
 * `portal` gets the notice instead of the message.
 */
export async function protectMessage(
  plan: ProtectionPlan,
  mime: Buffer,
  pgpKeys?: VerifiedPgpKeys,
): Promise<ProtectedMessage> {
  const method = plan.decision.method;
  switch (method) {
    case 'pgp':
      if (!plan.pgpKey) {
        throw new Error('PGP planned without a key');
      }
      return {
        raw: await encryptPgpMime({
          mime,
          recipientKeys: [plan.pgpKey],
          archiveKey: plan.organisationPgp?.archiveKey,
          signingKey: plan.organisationPgp?.signingKey,
          readKey: pgpKeys && ((armored) => pgpKeys.encryptionKey(armored)),
        }),
        security: 'opportunistic',
      };
    case 'smime': {
      const certificate = plan.certificate;
      if (!certificate) {
        throw new Error('S/MIME planned without a certificate');
      }
      const mode = certificate.supportsGcm ? 'auth-enveloped-gcm' : 'enveloped-cbc';
      return {
        raw: encryptSmime({
          mime,
          recipientCertPems: [certificate.pem],
          mode,
          signer: plan.smimeSigner,
        }),
        security: 'opportunistic',
      };
    }
    case 'tls':
      return { raw: mime, security: 'verified-tls', requireTls: plan.requireTls };
    case 'none':
      return { raw: mime, security: 'opportunistic' };
    case 'portal':
      // `mime` is then the portal notice, which carries no PHI: the message stays behind.
      return { raw: mime, security: 'opportunistic' };
  }
}
