import { Module } from '@nestjs/common';
import { StructuredMessageRenderer } from './structured-message.renderer.js';

/** Bot messages to Genesys structured messages, for a messenger's capabilities. */
@Module({
  providers: [StructuredMessageRenderer],
  exports: [StructuredMessageRenderer],
})
export class RenderingModule {}
