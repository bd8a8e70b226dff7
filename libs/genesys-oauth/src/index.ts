export * from './pkce.js';
export * from './genesys-oauth.errors.js';
export * from './genesys-oauth.client.js';
export * from './token.store.js';
