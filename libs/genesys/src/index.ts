export * from './structured-message.types.js';
export * from './bot-connector-v1.types.js';
export * from './limits.js';
export * from './regions.js';
export * from './language.js';
export * from './digital-bot-connector.types.js';
export * from './bot-list.limits.js';
export * from './agentless.limits.js';
