export * from './account-loader.ts';
export * from './backend-connection.ts';
export * from './backend-pool.ts';
export * from './backend-pools.ts';
export * from './collected-response.ts';
export * from './relay-interrupted-error.ts';
export * from './response-sink.ts';
