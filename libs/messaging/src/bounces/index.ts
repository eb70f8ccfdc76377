export * from './bounce-outcome';
export * from './bounce-reader';
export * from './bounces.module';
export * from './delivery-status';
export * from './receive-bounce.use-case';
export * from './suppression-list.service';
export * from './verp-addresses';
export * from './verp-issuing.module';
