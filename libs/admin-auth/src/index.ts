export * from './admin-auth.types.js';
export * from './passwords.js';
export * from './admin-users.store.js';
export * from './admin-sessions.store.js';
export * from './audit-log.js';
export * from './client-address.js';
export * from './login-throttle.js';
