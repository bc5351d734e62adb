import { IContainer, IPodSpec } from 'kubernetes-models/v1';

// Pod Security Standards "restricted" (which includes "baseline"), as the namespace label
// pod-security.kubernetes.io/enforce: restricted makes the API server check them: kubernetes.io/docs/concepts/
// security/pod-security-standards. Only the controls a Linux pod spec can break are checked here.
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const PROFILE_TYPES = new Set(['RuntimeDefault', 'Localhost']);

/** What Pod Security "restricted" would reject in a pod spec, one sentence per problem (empty when it admits it). */
export function podSecurityRestrictedViolations(spec: IPodSpec): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  // A pod in its own user namespace may unmask /proc (the relaxation of the baseline procMount control).
  const userNamespace = spec.hostUsers === false;
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[field]) problems.push(`${field} is set`);
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types) if (!RESTRICTED_VOLUME_TYPES.has(type)) problems.push(`volume "${volume.name}" is of type ${type}`);
  }
  if (pod.appArmorProfile && !PROFILE_TYPES.has(pod.appArmorProfile.type))
    problems.push(`the pod's AppArmor profile is ${pod.appArmorProfile.type}`);
  if (pod.seccompProfile && !PROFILE_TYPES.has(pod.seccompProfile.type))
    problems.push(`the pod's seccomp profile is ${pod.seccompProfile.type}`);
  if (pod.runAsUser === 0) problems.push('the pod runs as uid 0');
  const containers: IContainer[] = [...(spec.initContainers ?? []), ...spec.containers];
  for (const c of containers) {
    const ctx = c.securityContext ?? {};
    const where = `container "${c.name}"`;
    if (ctx.privileged) problems.push(`${where} is privileged`);
    if (ctx.allowPrivilegeEscalation !== false) problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    if (!(ctx.runAsNonRoot ?? pod.runAsNonRoot) && !userNamespace) problems.push(`${where} does not set runAsNonRoot: true`);
    if (ctx.runAsUser === 0) problems.push(`${where} runs as uid 0`);
    // "restricted" lets a container add NET_BIND_SERVICE and nothing else.
    for (const cap of ctx.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') problems.push(`${where} adds capability ${cap}`);
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where} does not drop ALL capabilities`);
    if (ctx.procMount && ctx.procMount !== 'Default' && !userNamespace)
      problems.push(`${where} sets procMount ${ctx.procMount} outside a user namespace`);
    const seccomp = ctx.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!seccomp || !PROFILE_TYPES.has(seccomp)) problems.push(`${where} runs with seccomp profile ${seccomp ?? '(none)'}`);
    if (ctx.appArmorProfile && !PROFILE_TYPES.has(ctx.appArmorProfile.type))
      problems.push(`${where} has AppArmor profile ${ctx.appArmorProfile.type}`);
    for (const port of c.ports ?? []) if (port.hostPort) problems.push(`${where} uses host port ${port.hostPort}`);
  }
  return problems;
}
