export const M365_CREDENTIAL_KINDS = ['secret', 'certificate'] as const;
export type M365CredentialKind = (typeof M365_CREDENTIAL_KINDS)[number];

/** What an admin submits; exactly one of clientSecret or (privateKeyPem and certificatePem). */
export interface M365ConnectionInput {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  privateKeyPem?: string;
  certificatePem?: string;
  watchSentItems?: boolean;
}

export interface M365ConnectionChanges extends Partial<M365ConnectionInput> {
  enabled?: boolean;
}

/** A connection as the API shows it: never the secret, the key or the client state. */
export interface M365ConnectionView {
  id: string;
  tenantId: string;
  clientId: string;
  credentialKind: M365CredentialKind;
  /** SHA-256 thumbprint (hex) of the certificate, as the Entra portal lists it. */
  certificateThumbprint: string | null;
  watchSentItems: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A connection as the connector uses it: credentials opened. */
export interface M365Connection {
  id: string;
  organisationId: string;
  tenantId: string;
  clientId: string;
  credential:
    | { kind: 'secret'; clientSecret: string }
    | { kind: 'certificate'; privateKeyPem: string; certificatePem: string };
  clientState: string;
  watchSentItems: boolean;
  enabled: boolean;
  usersDeltaLink: string | null;
  groupsDeltaLink: string | null;
  /** Changes on every edit, so cached tokens and clients of an older edit are not reused. */
  revision: string;
}
