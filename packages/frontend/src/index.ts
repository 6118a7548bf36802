export * from './client-connection.ts';
export * from './client-session.ts';
export * from './result-column.ts';
export * from './result-writer.ts';
export * from './server-capabilities.ts';
export * from './session-function-column.ts';
export * from './session-handler.ts';
export * from './user-directory.ts';
