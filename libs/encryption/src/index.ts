export * from './pgp';
export * from './tls-probe';
