export * from './checksums.js';
export * from './log-redaction.js';
export * from './privacy-policy.js';
export * from './privacy.module.js';
export * from './recognizers.js';
export * from './redactor.js';
