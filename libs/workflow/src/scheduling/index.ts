export * from './clock';
export * from './wait-time';
