// The image's HEALTHCHECK: GET /health on the port of the service this container runs. Each service
// has its own port variable (libs/config), so the port is looked up from SERVICE.
const PORTS = {
  compliance: ['COMPLIANCE_PORT', 5005],
  gateway: ['GATEWAY_PORT', 5001],
  'node-runner': ['NODE_RUNNER_PORT', 5003],
  orchestrator: ['ORCHESTRATOR_PORT', 5002],
  rag: ['RAG_PORT', 5004],
};
const [variable, fallback] = PORTS[process.env.SERVICE] ?? PORTS.gateway;
const port = process.env[variable] || fallback;
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
