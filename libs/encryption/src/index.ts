export * from './pgp';
export * from './smime';
export * from './tls-probe';
