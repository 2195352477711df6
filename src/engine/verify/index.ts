export { verify } from './stairway';
export * from './types';
export { verifyJunit } from './junit';
export { verifySummary } from './summary';
