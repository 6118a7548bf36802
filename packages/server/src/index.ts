export * from './main/start-cathode.ts';
export * from './logger.ts';
export type * from './threads/messages.ts';
