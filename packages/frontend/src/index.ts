export * from './client-connection.ts';
export * from './client-session.ts';
export * from './server-capabilities.ts';
export * from './session-handler.ts';
export * from './user-directory.ts';
