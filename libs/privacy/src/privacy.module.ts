import { Module } from '@nestjs/common';
import { Redactor } from './redactor.js';

/** Provides the Redactor; the compiled policies it hands out are shared process-wide. */
@Module({ providers: [Redactor], exports: [Redactor] })
export class PrivacyModule {}
