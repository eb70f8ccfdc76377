export * from './bundle-outlook-addin';
