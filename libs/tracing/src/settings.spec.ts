import { ConfigValidationError, loadTracingSettings } from '@weft/config';
import { parseKeyValueList, planTracing } from './settings';

const identity = { environment: 'production', version: '1.2.3' };
const plan = (env: Record<string, string>) => planTracing('gateway', loadTracingSettings('gateway', env), identity);

describe('tracing settings (the standard OTEL_* variables)', () => {
  it('is off by default: no endpoint, nothing traced', () => {
    expect(plan({})).toMatchObject({ exporter: 'none', offReason: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') });
  });

  it('turns on with a base endpoint (traces go to /v1/traces) and protobuf by default', () => {
    expect(plan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      exporter: 'otlp',
      protocol: 'http/protobuf',
      url: 'http://collector:4318/v1/traces',
      sampler: { kind: 'parentbased_traceidratio', ratio: 1 },
    });
  });

  it('takes the traces endpoint as given, JSON when asked, headers and the sampler', () => {
    expect(
      plan({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://cloud.langfuse.com/api/public/otel/v1/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20abc%3D%3D,x-tenant=weft',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }),
    ).toMatchObject({
      exporter: 'otlp',
      headers: { Authorization: 'Basic abc==', 'x-tenant': 'weft' },
      protocol: 'http/json',
      sampler: { kind: 'parentbased_traceidratio', ratio: 0.1 },
      url: 'https://cloud.langfuse.com/api/public/otel/v1/traces',
    });
  });

  it('stays off when the SDK is disabled or the exporter is none, even with an endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(plan({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toMatchObject({ exporter: 'none', offReason: 'OTEL_SDK_DISABLED=true' });
    expect(plan({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({ exporter: 'none' });
    expect(plan({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ exporter: 'console' });
  });

  it('names the resource weft-<service> with version and environment; OTEL_SERVICE_NAME and attributes override', () => {
    expect(plan({}).resource).toMatchObject({
      'deployment.environment': 'production',
      'service.name': 'weft-gateway',
      'service.version': '1.2.3',
    });
    expect(
      plan({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=x,deployment.environment=staging,k8s.namespace.name=weft', OTEL_SERVICE_NAME: 'edge' })
        .resource,
    ).toMatchObject({ 'deployment.environment': 'staging', 'k8s.namespace.name': 'weft', 'service.name': 'edge' });
  });

  it('refuses grpc with a message that says so, and a ratio outside 0..1', () => {
    expect(() => loadTracingSettings('gateway', { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/grpc is not supported/);
    expect(() => loadTracingSettings('gateway', { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(ConfigValidationError);
    expect(() => loadTracingSettings('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('parses key=value lists, skipping malformed entries', () => {
    expect(parseKeyValueList('a=1, b = two%2C ,=x,novalue,c=%zz')).toEqual({ a: '1', b: 'two,', c: '%zz' });
  });
});
