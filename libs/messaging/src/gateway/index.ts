export * from './gateway-access.service';
export * from './inbound-bounce-handler.port';
export * from './received-message';
export * from './received-trace';
export * from './gateway-status.service';
export * from './gateway-receipts.service';
