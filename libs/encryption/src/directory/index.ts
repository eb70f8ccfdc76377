export * from './certificate-directory.service';
export * from './directory-entry';
export * from './pgp-key-directory.service';
export * from './policy.service';
export * from './recipient-directory.service';
export * from './organisation-keys.service';
export * from './organisation-smime.service';
