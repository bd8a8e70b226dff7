export * from './channel.types.js';
export * from './channel.schema.js';
export * from './channel.repository.js';
export * from './channels-file.loader.js';
export * from './channels.module.js';
export * from './handoff-response.js';
export * from './channels-sync.js';
export * from './digital-bot-connector.js';
