export * from './errors';
export * from './revision';
export * from './revisionMap';
export * from './iterate';
export * from './targets';
