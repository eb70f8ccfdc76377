export * from './appointment-reminder';
