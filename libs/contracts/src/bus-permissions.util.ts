import { GRANT_BOUND_SERVICES, jobSubject, SERVICE_NAMES, type ServiceName } from './services.contract';
import { CONTRACTS, STREAMS, type RequestContract, type StreamName, type Subject } from './subjects.contract';

/** What one service's NATS user may publish and subscribe to. */
export interface BusPermissions {
  publish: string[];
  subscribe: string[];
}

/**
 * How subject and stream names appear on the wire: `none` as in CONTRACTS (production); a given prefix
 * (one stack on a shared NATS); or `any` prefix of one token, for a NATS shared by several isolated
 * stacks whose prefixes are not known in advance (the project-local NATS that `npm start` and the
 * tests share). `any` cannot name a prefixed stream exactly, so JetStream API rights are then per
 * stream kind rather than per stream name.
 */
export type SubjectPrefixMode = { kind: 'none' } | { kind: 'prefix'; prefix: string } | { kind: 'any' };

/** The inbox prefix a service's connection uses, so that only it can read the replies sent to it. */
export function inboxPrefixOf(service: ServiceName | 'operator'): string {
  return `_INBOX_${service.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/** Wire stream name for a prefix, as the message bus names it. */
export function prefixedStreamName(prefix: string | undefined, stream: StreamName): string {
  return prefix ? `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_${stream}` : stream;
}

/**
 * The NATS permissions of a service, derived from the contract table: it subscribes to the requests
 * it answers, the topics it listens to and its own inbox; it publishes the requests it may send, the
 * topics and events it may publish, and the JetStream API calls of the streams it publishes to or
 * consumes (create a missing stream, read its info, change it only as its manager, use its consumers,
 * ack). Nobody may purge or delete a stream or its messages. Answers go back through `allow_responses`.
 */
export function busPermissions(service: ServiceName, mode: SubjectPrefixMode = { kind: 'none' }): BusPermissions {
  const subjects = (subject: string): string[] =>
    mode.kind === 'none' ? [subject] : mode.kind === 'prefix' ? [`${mode.prefix}.${subject}`] : [subject, `*.${subject}`];
  const stream = (name: StreamName): string =>
    mode.kind === 'any' ? '*' : prefixedStreamName(mode.kind === 'prefix' ? mode.prefix : undefined, name);
  const publish = new Set<string>();
  const subscribe = new Set<string>([`${inboxPrefixOf(service)}.>`]);
  const streamsUsed = new Set<StreamName>();
  const streamsConsumed = new Set<StreamName>();
  for (const subject of Object.keys(CONTRACTS) as Subject[]) {
    const contract = CONTRACTS[subject];
    if (contract.kind === 'request') {
      const request = contract as RequestContract<unknown, unknown>;
      // A grant-bound caller sends on the job form of the subject, which the owner answers after checking the grant.
      const wireForms = (caller: ServiceName) => subjects(GRANT_BOUND_SERVICES.includes(caller) ? jobSubject(subject) : subject);
      if (request.callers.includes(service)) wireForms(service).forEach((s) => publish.add(s));
      if (request.owner === service || request.owner === 'broadcast') {
        subjects(subject).forEach((s) => subscribe.add(s));
        if (request.callers.some((c) => GRANT_BOUND_SERVICES.includes(c))) subjects(jobSubject(subject)).forEach((s) => subscribe.add(s));
      }
    } else if (contract.kind === 'topic') {
      const keyed = (s: string) => (contract.keyed ? [s, `${s}.*`] : [s]);
      if (contract.publishers.includes(service))
        subjects(subject)
          .flatMap(keyed)
          .forEach((s) => publish.add(s));
      if (contract.listeners.includes(service))
        subjects(subject)
          .flatMap(keyed)
          .forEach((s) => subscribe.add(s));
    } else {
      if (contract.publishers.includes(service)) {
        subjects(subject).forEach((s) => publish.add(s));
        streamsUsed.add(contract.stream);
      }
      if (contract.consumers.includes(service)) {
        streamsUsed.add(contract.stream);
        streamsConsumed.add(contract.stream);
      }
    }
  }
  if (streamsUsed.size > 0) publish.add('$JS.API.INFO');
  for (const name of streamsUsed) {
    const s = stream(name);
    publish.add(`$JS.API.STREAM.INFO.${s}`);
    publish.add(`$JS.API.STREAM.CREATE.${s}`);
    if (STREAMS[name].manager === service) publish.add(`$JS.API.STREAM.UPDATE.${s}`);
  }
  for (const name of streamsConsumed) {
    const s = stream(name);
    for (const api of ['CONSUMER.CREATE', 'CONSUMER.DURABLE.CREATE', 'CONSUMER.INFO', 'CONSUMER.MSG.NEXT'])
      publish.add(`$JS.API.${api}.${s}.>`);
    publish.add(`$JS.ACK.${s}.>`);
  }
  return { publish: [...publish].sort(), subscribe: [...subscribe].sort() };
}

/** Every service's permissions, keyed by service: what deploy/nats/permissions.json holds. */
export function allBusPermissions(mode: SubjectPrefixMode = { kind: 'none' }): Record<ServiceName, BusPermissions> {
  return Object.fromEntries(SERVICE_NAMES.map((service) => [service, busPermissions(service, mode)])) as Record<
    ServiceName,
    BusPermissions
  >;
}

/** The text of deploy/nats/permissions.json: exact lists (production) and any-prefix lists (a shared local NATS). */
export function renderBusPermissions(): string {
  return `${JSON.stringify({ anyPrefix: allBusPermissions({ kind: 'any' }), exact: allBusPermissions() }, null, 2)}\n`;
}
