export * from './smime-certificate-inspector';
export * from './smime-certificate.error';
export * from './smime-encryptor';
export * from './smime-signer';
