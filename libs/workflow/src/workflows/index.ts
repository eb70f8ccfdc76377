export * from './workflow-views';
export * from './workflows.module';
export * from './workflows.service';
