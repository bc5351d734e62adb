export * from './bus-metrics';
export * from './metric-names';
export * from './metrics.module';
export * from './model-metrics';
export { InjectMetric, makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
