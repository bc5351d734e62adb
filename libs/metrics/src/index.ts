export * from './bus-metrics';
export * from './exemplars';
export * from './jetstream-backlog';
export * from './metric-names';
export * from './metrics.module';
export * from './model-metrics';
export { InjectMetric, makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
