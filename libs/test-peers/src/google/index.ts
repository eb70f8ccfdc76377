export * from './fake-google';
