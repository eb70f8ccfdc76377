import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { type M365ConnectionInput, type M365CredentialKind } from './m365-connection';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A tenant is named by its GUID or one of its verified domains (contoso.onmicrosoft.com).
const TENANT_DOMAIN = /^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

export interface CheckedCredential {
  kind: M365CredentialKind;
  /** What is sealed: the client secret, or the private key PEM. */
  secret: string;
  certificatePem: string | null;
}

export function checkTenantAndClient(input: { tenantId: string; clientId: string }): void {
  if (!GUID.test(input.tenantId) && !TENANT_DOMAIN.test(input.tenantId)) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      'tenantId must be the directory (tenant) id or a verified domain of the tenant.',
    );
  }
  if (!GUID.test(input.clientId)) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      'clientId must be the application (client) id, a GUID.',
    );
  }
}

/**
 * Exactly one way to authenticate: a client secret, or a certificate with its private key
 * (the key must belong to the certificate, or Entra would refuse every assertion).
 */
export function checkCredential(input: Partial<M365ConnectionInput>): CheckedCredential {
  const certificateParts = [input.privateKeyPem, input.certificatePem].filter(Boolean).length;
  if (input.clientSecret && certificateParts > 0) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      'Give either clientSecret or privateKeyPem with certificatePem, not both.',
    );
  }
  if (input.clientSecret) {
    return { kind: 'secret', secret: input.clientSecret, certificatePem: null };
  }
  if (certificateParts !== 2) {
    throw new SealpostError(
      ErrorCode.MissingValue,
      'clientSecret, or privateKeyPem and certificatePem, is required.',
    );
  }
  const privateKeyPem = input.privateKeyPem as string;
  const certificatePem = input.certificatePem as string;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new SealpostError(ErrorCode.InvalidValue, 'certificatePem is not a PEM certificate.');
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    throw new SealpostError(ErrorCode.InvalidValue, 'privateKeyPem is not a PEM private key.');
  }
  if (!matches) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      'privateKeyPem does not belong to certificatePem.',
    );
  }
  return { kind: 'certificate', secret: privateKeyPem, certificatePem: certificate.toString() };
}

/** SHA-256 of the certificate's DER; hex for people, base64url for the x5t#S256 header. */
export function certificateThumbprint(certificatePem: string): Buffer {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest();
}
