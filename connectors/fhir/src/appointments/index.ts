export * from './appointment-facts';
export * from './appointment-trigger';
export * from './appointment-triggers.service';
export * from './appointment-intake.use-case';
export * from './appointment-journeys.query';
export * from './appointment-poller.service';
export * from './receive-notification.use-case';
export * from './subscription-notification';
