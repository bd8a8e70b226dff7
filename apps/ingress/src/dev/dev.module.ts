import { Module } from '@nestjs/common';
import { DevStatusController } from './dev-status.controller.js';

/** Endpoints for local development tools; IngressModule leaves this module out in production. */
@Module({ controllers: [DevStatusController] })
export class DevModule {}
