export * from './admin-auth.types.js';
export * from './passwords.js';
export * from './admin-users.store.js';
export * from './admin-sessions.store.js';
export * from './audit-log.js';
