/** The five services, by the name they use on the bus, in logs and in metrics. */
export const SERVICE_NAMES = ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
