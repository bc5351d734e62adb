import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { METRIC } from './metric-names';

/** Counts and times NATS handlers per subject and outcome. */
@Injectable()
export class BusMetrics {
  constructor(
    @InjectMetric(METRIC.busMessages) private readonly handled: Counter<string>,
    @InjectMetric(METRIC.busMessageDuration) private readonly duration: Histogram<string>,
  ) {}

  observe(subject: string, outcome: 'ok' | 'error' | 'invalid', seconds: number): void {
    this.handled.inc({ subject, outcome });
    this.duration.observe({ subject, outcome }, seconds);
  }
}
