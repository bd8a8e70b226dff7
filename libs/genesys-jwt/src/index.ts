export * from './bot-connector-token.constants.js';
export * from './bot-connector-token.verifier.js';
export * from './bot-connector-token.minter.js';
export * from './genesys-jwt.module.js';
