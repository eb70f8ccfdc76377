export * from './engagement-sink';
export * from './html-tracking-rewriter';
export * from './organisation-settings.service';
export * from './record-engagement.use-case';
export * from './tracking-decorator';
export * from './tracking-issuing.module';
export * from './tracking-tokens';
export * from './tracking.module';
