export * from './pgp-key-generator';
export * from './pgp-key-inspector';
export * from './pgp-key.error';
export * from './pgp-mime-encryptor';
export * from './pgp-signing-key-reader';
export * from './verified-pgp-keys';
