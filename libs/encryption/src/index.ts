export * from './directory';
export * from './encryption.module';
export * from './pgp';
export * from './policy';
export * from './smime';
export * from './tls-probe';
export * from './wkd';
