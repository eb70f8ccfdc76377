export * from './deployment-descriptor';
export * from './gmail-addon-urls';
export * from './gmail-addon.module';
export * from './gmail-addon.service';
export * from './gmail-cards';
export * from './google-id-token.verifier';
