export * from './proxy-session.ts';
export * from './router-context.ts';
export * from './session/session-registry.ts';
export * from './session/state-sync.ts';
export * from './sql/escape.ts';
export * from './sql/lexer.ts';
export * from './sql/statement-effects.ts';
