export * from './audit-checkpointer';
export * from './audit-signing-keys.service';
export * from './checkpoint-signature';
