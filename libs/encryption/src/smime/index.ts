export * from './smime-certificate-inspector';
export * from './smime-certificate.error';
export * from './smime-encryptor';
export * from './smime-signer';
export * from './smime-signing-identity.inspector';
export type { CmsSigner } from './cms-signed-data.builder';
