export * from './fake-microsoft-graph';
