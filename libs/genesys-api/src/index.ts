export * from './genesys-api.errors.js';
export * from './genesys-api.client.js';
export * from './genesys-api-client.factory.js';
export * from './genesys-api.module.js';
export * from './bot-list.js';
export * from './genesys-api.logger.js';
