export * from './validate-env.js';
export * from './gateway.config.js';
