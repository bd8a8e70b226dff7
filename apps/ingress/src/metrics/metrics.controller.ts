import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IngressMetrics } from './ingress-metrics.service.js';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: IngressMetrics) {}

  @Get()
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.m.render();
    await reply.header('content-type', contentType).send(body);
  }
}
