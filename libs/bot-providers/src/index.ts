export * from './canonical.types.js';
export * from './bot-provider.interface.js';
export * from './bot-provider.registry.js';
export * from './bot-providers.module.js';
export * from './bot-result.validator.js';
export * from './demo/demo-bot.provider.js';
export * from './http/http-bot.provider.js';
export * from './http/network-guard.js';
