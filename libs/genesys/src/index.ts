export * from './structured-message.types.js';
export * from './bot-connector-v1.types.js';
export * from './limits.js';
export * from './regions.js';
export * from './language.js';
