export * from './pkce.js';
export * from './genesys-oauth.errors.js';
export * from './genesys-oauth.client.js';
export * from './oauth-state.store.js';
export * from './token.store.js';
