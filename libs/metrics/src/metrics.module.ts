import { Controller, Get, Global, MiddlewareConsumer, Module, NestModule, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusController,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { BusMetrics } from './bus-metrics';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { METRIC } from './metric-names';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const providers = [
  makeCounterProvider({
    name: METRIC.requestsTotal,
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'endpoint', 'status'],
  }),
  makeHistogramProvider({
    name: METRIC.requestDuration,
    help: 'HTTP request duration by method and route pattern',
    labelNames: ['method', 'endpoint'],
    buckets: LATENCY_BUCKETS,
  }),
  makeGaugeProvider({ name: METRIC.activeConnections, help: 'HTTP requests in progress' }),
  makeCounterProvider({
    name: METRIC.busMessages,
    help: 'NATS messages handled by subject and outcome',
    labelNames: ['subject', 'outcome'],
  }),
  makeHistogramProvider({
    name: METRIC.busMessageDuration,
    help: 'NATS handler duration by subject and outcome',
    labelNames: ['subject', 'outcome'],
    buckets: LATENCY_BUCKETS,
  }),
];

/** `GET /metrics`, described in the API document as what it is: Prometheus text, not JSON. */
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics in the Prometheus text exposition format' })
  override index(@Res({ passthrough: true }) response: unknown): Promise<string> {
    return super.index(response);
  }
}

/** Prometheus `/metrics` with process metrics, HTTP metrics and NATS handler metrics. */
@Global()
@Module({
  imports: [PrometheusModule.register({ controller: MetricsController, path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: [...providers, BusMetrics, HttpMetricsMiddleware],
  exports: [...providers, BusMetrics],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
