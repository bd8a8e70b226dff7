import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { currentTracing } from './start-tracing.js';

/**
 * Exports the spans still buffered when the application closes. onApplicationShutdown runs after
 * the ingress has answered its in-flight turns and the worker has drained its jobs, so their
 * spans are ended by then.
 */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await currentTracing().shutdown();
  }
}

@Module({ providers: [TracingFlush] })
export class TracingModule {}
