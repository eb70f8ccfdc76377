export * from './funnel-svg';
export * from './workflow-stats.service';
