export * from './definition-problem';
export * from './definition-validator';
export * from './workflow-definition';
