import { Injectable, NestMiddleware } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram } from 'prom-client';
import { traceExemplarLabels, observeWithTrace } from './exemplars';
import { METRIC } from './metric-names';

/**
 * Counts and times every HTTP request by its route pattern (`/v1/workflows/run/:id`), never the raw
 * path, so the label set stays bounded. Unmatched paths are reported as "unmatched".
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(
    @InjectMetric(METRIC.requestsTotal) private readonly requests: Counter<string>,
    @InjectMetric(METRIC.requestDuration) private readonly duration: Histogram<string>,
    @InjectMetric(METRIC.activeConnections) private readonly active: Gauge<string>,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    // The request's span, taken while its context is active: the exemplar that links the latency to the trace.
    const exemplar = traceExemplarLabels();
    this.active.inc();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.active.dec();
      const route = (req.route as { path?: string } | undefined)?.path;
      // Nest registers full paths on the application router, so the route pattern is the endpoint.
      // The catch-all that middleware is mounted on is not an endpoint: the request matched no route.
      const endpoint = route && !route.includes('*path') ? route : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.requests.inc({ method: req.method, endpoint, status: String(res.statusCode) });
      observeWithTrace(this.duration, { method: req.method, endpoint }, seconds, exemplar);
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  }
}
