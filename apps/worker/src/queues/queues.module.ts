import { Global, Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DrainRequester, TURNS_QUEUE } from '@app/queue';
import { RedisConnections } from '@app/redis';
import { RedisKeys } from '@app/store';
import { InboxSweeper } from './inbox-sweeper.js';
import { WorkerHost } from './worker-host.js';

/**
 * The worker's queue plumbing: the host that runs every consumer and periodic task, the one
 * DrainRequester (turns that outlast a drain's share, the sweepers), and the inbox sweeper. Global: the features
 * register with it; it imports none of them.
 */
@Global()
@Module({
  providers: [
    {
      provide: DrainRequester,
      useFactory: (connections: RedisConnections, keys: RedisKeys) => {
        const queue = new Queue(TURNS_QUEUE, { connection: connections.producer('turns-producer'), prefix: keys.bullPrefix });
        // Errors surface on the add that needed the connection; the event alone is noise.
        queue.on('error', () => undefined);
        return new DrainRequester(queue);
      },
      inject: [RedisConnections, RedisKeys],
    },
    WorkerHost,
    InboxSweeper,
  ],
  exports: [DrainRequester, WorkerHost],
})
export class QueuesModule {}
