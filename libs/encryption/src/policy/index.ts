export * from './encryption-policy';
export * from './encryption-policy.validator';
export * from './method-decider';
export * from './phi-detectors';
export * from './protection-requirement';
export * from './html-text.util';
export * from './sender-groups.port';
