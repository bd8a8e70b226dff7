export * from './admin-auth.types.js';
export * from './passwords.js';
export * from './client-address.js';
