export * from './audit-chain-verifier.service';
export * from './chain-verification';
