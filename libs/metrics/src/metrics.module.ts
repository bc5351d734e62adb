import { Controller, Get, Global, MiddlewareConsumer, Module, NestModule, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { makeCounterProvider, makeGaugeProvider, PrometheusController, PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { Request, Response } from 'express';
import { Registry } from 'prom-client';
import { BusMetrics } from './bus-metrics';
import { makeExemplarHistogramProvider, metricsRegistry as register } from './exemplars';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { jetStreamBacklogProvider } from './jetstream-backlog';
import { METRIC } from './metric-names';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const providers = [
  makeCounterProvider({
    name: METRIC.requestsTotal,
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'endpoint', 'status'],
  }),
  makeExemplarHistogramProvider({
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
  makeExemplarHistogramProvider({
    name: METRIC.busMessageDuration,
    help: 'NATS handler duration by subject and outcome',
    labelNames: ['subject', 'outcome'],
    buckets: LATENCY_BUCKETS,
  }),
  jetStreamBacklogProvider,
];

/**
 * Renders the process's metrics: OpenMetrics (with the latency histograms' trace exemplars) for a scraper
 * that asks for it in `Accept`, as Prometheus does, and the Prometheus text format otherwise. prom-client
 * renders OpenMetrics by switching its one registry and renaming counters for the render, so renders take
 * turns, and each puts the registry back as it found it.
 */
export async function renderMetrics(openMetrics: boolean): Promise<{ contentType: string; text: string }> {
  const render = async () => {
    if (!openMetrics) return { contentType: register.contentType, text: await register.metrics() };
    const counters = register.getMetricsAsArray().filter((m) => String(m.type) === 'counter');
    const names = counters.map((m) => m.name);
    register.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    try {
      return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, text: await register.metrics() };
    } finally {
      register.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
      counters.forEach((m, i) => (m.name = names[i]!));
    }
  };
  const result = rendering.then(render, render);
  rendering = result.then(
    () => undefined,
    () => undefined,
  );
  return result;
}
let rendering: Promise<unknown> = Promise.resolve();

/** `GET /metrics`, described in the API document as what it is: Prometheus text (or OpenMetrics when asked), not JSON. */
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiProduces('text/plain', 'application/openmetrics-text')
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text exposition format, or OpenMetrics (with exemplars) when Accept asks for it',
  })
  override async index(@Res({ passthrough: true }) response: unknown, @Req() request?: unknown): Promise<string> {
    const accept = (request as Request | undefined)?.headers.accept ?? '';
    const { contentType, text } = await renderMetrics(/application\/openmetrics-text/i.test(accept));
    (response as Response).header('Content-Type', contentType);
    return text;
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
