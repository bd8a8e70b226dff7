import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { CHANNEL_ID_PATTERN } from '@app/channels';
import { GatewayError } from '@app/errors';
import { NOTIFICATIONS_QUEUE, TURNS_QUEUE } from '@app/queue';
import { WorkerRegistry } from '@app/store';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { TurnStats } from './turn-stats.js';

/** The console dashboard: per-minute turns, latencies, misses and handoffs, queues, workers. */
@Controller('api/dashboard')
@UseGuards(AdminAuthGuard)
export class DashboardController {
  constructor(
    private readonly stats: TurnStats,
    private readonly workers: WorkerRegistry,
    @InjectQueue(TURNS_QUEUE) private readonly turns: Queue,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue,
  ) {}

  @Get()
  async get(@Query('minutes') minutes?: string, @Query('channelId') channelId?: string) {
    const n = minutes === undefined ? 60 : Number(minutes);
    if (!Number.isInteger(n) || n < 1 || n > 1440) throw new GatewayError('invalid_request', 'minutes must be 1-1440');
    if (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('invalid_request', 'channelId is not a channel id');
    const [data, turnCounts, notificationCounts, workersOnline] = await Promise.all([
      this.stats.read(n, channelId),
      // Counts the dashboard can live without: a failed read shows as unknown instead of failing the page.
      this.turns.getJobCounts('waiting', 'active', 'delayed', 'prioritized').catch(() => undefined),
      this.notifications.getJobCounts('waiting', 'active', 'delayed').catch(() => undefined),
      this.workers.countAlive().catch(() => undefined),
    ]);
    return {
      ...data,
      queueDepth: turnCounts ? (turnCounts.waiting ?? 0) + (turnCounts.prioritized ?? 0) + (turnCounts.delayed ?? 0) : null,
      activeDrains: turnCounts?.active ?? null,
      notificationsQueued: notificationCounts ? (notificationCounts.waiting ?? 0) + (notificationCounts.delayed ?? 0) : null,
      workersOnline: workersOnline ?? null,
    };
  }
}
