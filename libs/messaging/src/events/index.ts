export * from './message-events-search';
