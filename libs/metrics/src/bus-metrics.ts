import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { observeWithTrace } from './exemplars';
import { METRIC } from './metric-names';

/** Counts and times NATS handlers per subject and outcome; the handler's span, when sampled, is the timing's exemplar. */
@Injectable()
export class BusMetrics {
  constructor(
    @InjectMetric(METRIC.busMessages) private readonly handled: Counter<string>,
    @InjectMetric(METRIC.busMessageDuration) private readonly duration: Histogram<string>,
  ) {}

  observe(subject: string, outcome: 'ok' | 'error' | 'invalid', seconds: number): void {
    this.handled.inc({ subject, outcome });
    observeWithTrace(this.duration, { subject, outcome }, seconds);
  }
}
