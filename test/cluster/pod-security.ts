/**
 * Pod Security admission (the `PodSecurity` plugin) at the `latest` version of Kubernetes 1.30: each check of
 * kubernetes/pod-security-admission@kubernetes-1.30.0 policy/check_*.go, its newest version, implemented on the
 * pod spec as JSON. Levels: `privileged` checks nothing; `baseline` runs the baseline checks; `restricted` runs
 * them all, each restricted check replacing the baseline one it overrides (`OverrideCheckIDs`:
 * capabilities_restricted over capabilities_baseline, restrictedVolumes over hostPathVolumes,
 * seccompProfile_restricted over seccompProfile_baseline). Containers are the init, regular and ephemeral ones
 * (policy/visitor.go `visitContainers`). The user-namespace relaxation of runAsNonRoot/runAsUser is off by
 * default (policy/helpers.go `relaxPolicyForUserNamespacePod`), so it is not modelled.
 *
 * A refusal is worded like admission/admission.go `ValidatePod`: `violates PodSecurity "<level>:latest":
 * <reason> (<detail>), ...` (policy/checks.go `AggregateCheckResults`).
 */

type Json = Record<string, any>;

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

interface CheckResult {
  readonly reason: string;
  readonly detail: string;
}

interface Check {
  /** policy/check_*.go `ID` */
  readonly id: string;
  readonly level: 'baseline' | 'restricted';
  readonly overrides?: string;
  readonly run: (meta: Json, spec: Json) => CheckResult | undefined;
}

function containers(spec: Json): Json[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}
const names = (cs: Json[]) => cs.map((c) => `"${c.name}"`).join(', ');
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const isWindows = (spec: Json) => spec.os?.name === 'windows';

/** check_capabilities_baseline.go `capabilities_allowed_1_0` */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** check_sysctls.go `sysctlsAllowedV1Dot29` */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
/** check_restrictedVolumes.go: the volume sources restricted allows */
const RESTRICTED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);

function fail(bad: Json[], reason: string, detail: (what: string) => string): CheckResult | undefined {
  if (bad.length === 0) return undefined;
  return { reason, detail: detail(`${plural(bad.length, 'container', 'containers')} ${names(bad)}`) };
}

export const POD_SECURITY_CHECKS: readonly Check[] = [
  {
    id: 'hostNamespaces', // check_hostNamespaces.go hostNamespaces_1_0
    level: 'baseline',
    run: (_, spec) => {
      const on = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true);
      return on.length ? { reason: 'host namespaces', detail: on.map((k) => `${k}=true`).join(', ') } : undefined;
    },
  },
  {
    id: 'privileged', // check_privileged.go privileged_1_0
    level: 'baseline',
    run: (_, spec) =>
      fail(
        containers(spec).filter((c) => c.securityContext?.privileged === true),
        'privileged',
        (w) => `${w} must not set securityContext.privileged=true`,
      ),
  },
  {
    id: 'capabilities_baseline', // check_capabilities_baseline.go capabilitiesBaseline_1_0
    level: 'baseline',
    run: (_, spec) => {
      const bad = containers(spec).filter((c) =>
        (c.securityContext?.capabilities?.add ?? []).some((x: string) => !BASELINE_CAPABILITIES.has(x)),
      );
      return fail(
        bad,
        'non-default capabilities',
        (w) => `${w} must not include non-default capabilities in securityContext.capabilities.add`,
      );
    },
  },
  {
    id: 'hostPathVolumes', // check_hostPathVolumes.go hostPathVolumes_1_0
    level: 'baseline',
    run: (_, spec) => {
      const bad = (spec.volumes ?? []).filter((v: Json) => v.hostPath);
      return bad.length
        ? { reason: 'hostPath volumes', detail: `${plural(bad.length, 'volume', 'volumes')} ${names(bad)}` }
        : undefined;
    },
  },
  {
    id: 'hostPorts', // check_hostPorts.go hostPorts_1_0
    level: 'baseline',
    run: (_, spec) =>
      fail(
        containers(spec).filter((c) => (c.ports ?? []).some((p: Json) => (p.hostPort ?? 0) !== 0)),
        'hostPort',
        (w) => `${w} use hostPorts`,
      ),
  },
  {
    id: 'appArmorProfile', // check_appArmorProfile.go appArmorProfile_1_0
    level: 'baseline',
    run: (meta, spec) => {
      const badType = (p: Json | undefined) => p !== undefined && !['RuntimeDefault', 'Localhost'].includes(p.type);
      const bad = containers(spec).filter((c) => badType(c.securityContext?.appArmorProfile));
      const annotations = Object.entries((meta.annotations ?? {}) as Record<string, string>).filter(
        ([k, v]) =>
          k.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
          !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')),
      );
      if (!badType(spec.securityContext?.appArmorProfile) && bad.length === 0 && annotations.length === 0)
        return undefined;
      return { reason: 'forbidden AppArmor profile', detail: 'must not set AppArmor profile type to Unconfined' };
    },
  },
  {
    id: 'seLinuxOptions', // check_seLinuxOptions.go seLinuxOptions_1_0
    level: 'baseline',
    run: (_, spec) => {
      const bad = (o: Json | undefined) =>
        o !== undefined && (!SELINUX_TYPES.has(o.type ?? '') || !!o.user || !!o.role);
      const pod = bad(spec.securityContext?.seLinuxOptions);
      const cs = containers(spec).filter((c) => bad(c.securityContext?.seLinuxOptions));
      return pod || cs.length
        ? { reason: 'seLinuxOptions', detail: 'forbidden securityContext.seLinuxOptions' }
        : undefined;
    },
  },
  {
    id: 'procMount', // check_procMount.go procMount_1_0
    level: 'baseline',
    run: (_, spec) =>
      fail(
        containers(spec).filter(
          (c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default',
        ),
        'procMount',
        (w) => `${w} must not set securityContext.procMount`,
      ),
  },
  {
    id: 'seccompProfile_baseline', // check_seccompProfile_baseline.go seccompProfileBaseline_1_19
    level: 'baseline',
    run: (_, spec) => {
      const bad = (p: Json | undefined) => p !== undefined && !['RuntimeDefault', 'Localhost'].includes(p.type);
      const cs = containers(spec).filter((c) => bad(c.securityContext?.seccompProfile));
      return bad(spec.securityContext?.seccompProfile) || cs.length
        ? { reason: 'seccompProfile', detail: 'must not set securityContext.seccompProfile.type to "Unconfined"' }
        : undefined;
    },
  },
  {
    id: 'sysctls', // check_sysctls.go sysctlsV1Dot29
    level: 'baseline',
    run: (_, spec) => {
      const bad = (spec.securityContext?.sysctls ?? []).filter((s: Json) => !SAFE_SYSCTLS.has(s.name));
      return bad.length ? { reason: 'forbidden sysctls', detail: bad.map((s: Json) => s.name).join(', ') } : undefined;
    },
  },
  {
    id: 'windowsHostProcess', // check_windowsHostProcess.go windowsHostProcess_1_0
    level: 'baseline',
    run: (_, spec) =>
      spec.securityContext?.windowsOptions?.hostProcess === true ||
      containers(spec).some((c) => c.securityContext?.windowsOptions?.hostProcess === true)
        ? { reason: 'hostProcess', detail: 'must not set securityContext.windowsOptions.hostProcess=true' }
        : undefined,
  },
  {
    id: 'restrictedVolumes', // check_restrictedVolumes.go restrictedVolumes_1_0
    level: 'restricted',
    overrides: 'hostPathVolumes',
    run: (_, spec) => {
      const bad = (spec.volumes ?? []).filter((v: Json) => !RESTRICTED_VOLUME_SOURCES.some((k) => v[k] !== undefined));
      return bad.length
        ? { reason: 'restricted volume types', detail: `${plural(bad.length, 'volume', 'volumes')} ${names(bad)}` }
        : undefined;
    },
  },
  {
    id: 'allowPrivilegeEscalation', // check_allowPrivilegeEscalation.go allowPrivilegeEscalation_1_25
    level: 'restricted',
    run: (_, spec) =>
      isWindows(spec)
        ? undefined
        : fail(
            containers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false),
            'allowPrivilegeEscalation != false',
            (w) => `${w} must set securityContext.allowPrivilegeEscalation=false`,
          ),
  },
  {
    id: 'runAsNonRoot', // check_runAsNonRoot.go runAsNonRoot_1_0
    level: 'restricted',
    run: (_, spec) => {
      const pod = spec.securityContext?.runAsNonRoot;
      const explicit = containers(spec).filter((c) => c.securityContext?.runAsNonRoot === false);
      if (pod === false || explicit.length)
        return { reason: 'runAsNonRoot != true', detail: 'must not set runAsNonRoot=false' };
      const implicit = containers(spec).filter((c) => c.securityContext?.runAsNonRoot === undefined && pod !== true);
      return implicit.length
        ? {
            reason: 'runAsNonRoot != true',
            detail: `pod or ${plural(implicit.length, 'container', 'containers')} ${names(implicit)} must set securityContext.runAsNonRoot=true`,
          }
        : undefined;
    },
  },
  {
    id: 'runAsUser', // check_runAsUser.go runAsUser_1_23
    level: 'restricted',
    run: (_, spec) =>
      spec.securityContext?.runAsUser === 0 || containers(spec).some((c) => c.securityContext?.runAsUser === 0)
        ? { reason: 'runAsUser=0', detail: 'must not set runAsUser=0' }
        : undefined,
  },
  {
    id: 'seccompProfile_restricted', // check_seccompProfile_restricted.go seccompProfileRestricted_1_25
    level: 'restricted',
    overrides: 'seccompProfile_baseline',
    run: (_, spec) => {
      if (isWindows(spec)) return undefined;
      const valid = (p: Json | undefined) => p !== undefined && ['RuntimeDefault', 'Localhost'].includes(p.type);
      const podProfile = spec.securityContext?.seccompProfile;
      if (podProfile !== undefined && !valid(podProfile)) {
        return {
          reason: 'seccompProfile',
          detail: `pod must not set securityContext.seccompProfile.type to "${podProfile.type}"`,
        };
      }
      const explicit = containers(spec).filter(
        (c) => c.securityContext?.seccompProfile !== undefined && !valid(c.securityContext.seccompProfile),
      );
      if (explicit.length)
        return fail(
          explicit,
          'seccompProfile',
          (w) => `${w} must not set securityContext.seccompProfile.type to "Unconfined"`,
        );
      const implicit = containers(spec).filter(
        (c) => c.securityContext?.seccompProfile === undefined && podProfile === undefined,
      );
      return implicit.length
        ? {
            reason: 'seccompProfile',
            detail: `pod or ${plural(implicit.length, 'container', 'containers')} ${names(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
          }
        : undefined;
    },
  },
  {
    id: 'capabilities_restricted', // check_capabilities_restricted.go capabilitiesRestricted_1_25
    level: 'restricted',
    overrides: 'capabilities_baseline',
    run: (_, spec) => {
      if (isWindows(spec)) return undefined;
      const details: string[] = [];
      const noDrop = containers(spec).filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
      if (noDrop.length)
        details.push(
          `${plural(noDrop.length, 'container', 'containers')} ${names(noDrop)} must set securityContext.capabilities.drop=["ALL"]`,
        );
      const adding = containers(spec).filter((c) =>
        (c.securityContext?.capabilities?.add ?? []).some((x: string) => x !== 'NET_BIND_SERVICE'),
      );
      if (adding.length)
        details.push(
          `${plural(adding.length, 'container', 'containers')} ${names(adding)} must not include capabilities other than NET_BIND_SERVICE in securityContext.capabilities.add`,
        );
      return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
    },
  },
];

/** The checks a level runs (policy/checks.go, evaluator: a restricted check replaces the one it overrides). */
export function checksFor(level: PodSecurityLevel): readonly Check[] {
  if (level === 'privileged') return [];
  const selected = POD_SECURITY_CHECKS.filter((c) => c.level === 'baseline' || level === 'restricted');
  const overridden = new Set(selected.map((c) => c.overrides).filter((x) => x !== undefined));
  return selected.filter((c) => !overridden.has(c.id));
}

/** The namespace's enforce level (`pod-security.kubernetes.io/enforce`; the API server's default is privileged). */
export function enforceLevel(namespaceLabels: Readonly<Record<string, string>> | undefined): PodSecurityLevel {
  const v = namespaceLabels?.['pod-security.kubernetes.io/enforce'];
  return v === 'baseline' || v === 'restricted' ? v : 'privileged';
}

/** `violates PodSecurity "<level>:latest": ...` for a pod (metadata and spec) that fails the level, else undefined. */
export function podSecurityViolation(level: PodSecurityLevel, metadata: Json, spec: Json): string | undefined {
  const failures = checksFor(level)
    .map((c) => c.run(metadata ?? {}, spec ?? {}))
    .filter((r): r is CheckResult => r !== undefined);
  if (failures.length === 0) return undefined;
  return `violates PodSecurity "${level}:latest": ${failures.map((f) => `${f.reason} (${f.detail})`).join(', ')}`;
}
