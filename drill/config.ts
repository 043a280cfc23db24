/**
 * The restore drill's configuration: its shape, the environment variables the CronJob sets, and the
 * validation that both the runner (at start) and the RestoreDrill construct (at synth) apply, so a bad
 * drill fails the synth instead of a run a month later.
 */
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import type { RestoreRequest } from '../lib/restore/restore-spec';

/** Label on everything the drill creates (scratch namespaces, Restore, verify pods); value = drill name. */
export const DRILL_LABEL = 'velero-cdk8s.io/restore-drill';
/** Annotation on a scratch namespace: the Restore of the run that created it. */
export const DRILL_RUN_ANNOTATION = 'velero-cdk8s.io/restore-drill-run';
/** Namespaces a drill never maps to, whatever the config says. */
export const PROTECTED_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Where a verify pod mounts the PVC. Declared paths are relative to it. */
export const VERIFY_MOUNT_PATH = '/volume';
/** UID/GID of a verify pod unless the verify entry names one (`nobody`). */
export const DEFAULT_VERIFY_USER = 65534;

/** The environment variables the CronJob sets (one name per config field). */
export const ENV = {
  veleroNamespace: 'VELERO_NAMESPACE',
  schedule: 'DRILL_SCHEDULE',
  drillName: 'DRILL_NAME',
  namespaceMapping: 'DRILL_NAMESPACE_MAPPING',
  includedResources: 'DRILL_INCLUDED_RESOURCES',
  verify: 'DRILL_VERIFY',
  verifyImage: 'DRILL_VERIFY_IMAGE',
  restoreTimeoutSeconds: 'DRILL_RESTORE_TIMEOUT_SECONDS',
  pvcBoundTimeoutSeconds: 'DRILL_PVC_BOUND_TIMEOUT_SECONDS',
  verifyTimeoutSeconds: 'DRILL_VERIFY_TIMEOUT_SECONDS',
  namespaceDeleteTimeoutSeconds: 'DRILL_NAMESPACE_DELETE_TIMEOUT_SECONDS',
  pollIntervalSeconds: 'DRILL_POLL_SECONDS',
  resourceModifier: 'DRILL_RESOURCE_MODIFIER',
} as const;

/** One declared check: the PVC `pvc` of source namespace `namespace` must hold a readable `path`. */
export interface VerifyTarget {
  /** Source namespace, as backed up (e.g. `loki`); the runner looks in its mapped scratch namespace. */
  readonly namespace: string;
  readonly pvc: string;
  /** Path relative to the volume root, e.g. `test.txt` or `/chunks` (a directory must not be empty). */
  readonly path: string;
  /** UID (and GID) the verify pod runs as, to read files only their owner may read. @default 65534 */
  readonly runAsUser?: number;
}

export interface DrillConfig {
  /** Value of the drill label on everything the drill creates; the CronJob's name. */
  readonly drillName: string;
  readonly veleroNamespace: string;
  /** Velero Schedule whose newest Completed backup is restored. */
  readonly schedule: string;
  /** Source namespace -> scratch namespace. The sources are the Restore's includedNamespaces. */
  readonly namespaceMapping: Readonly<Record<string, string>>;
  /** Restore `includedResources`; empty = everything in the namespaces. */
  readonly includedResources: readonly string[];
  readonly verify: readonly VerifyTarget[];
  /** Pinned image of the verify pods; needs `/bin/sh`, `ls` and `cat`. */
  readonly verifyImage: string;
  readonly restoreTimeoutSeconds: number;
  readonly pvcBoundTimeoutSeconds: number;
  readonly verifyTimeoutSeconds: number;
  /** How long to wait for a scratch namespace left by an earlier, killed run to go away. */
  readonly namespaceDeleteTimeoutSeconds: number;
  readonly pollIntervalSeconds: number;
  /** Resource-modifier ConfigMap in the Velero namespace the Restore applies (strips ArgoCD tracking). @default none */
  readonly resourceModifier?: string;
}

/**
 * What the drill's Restore is built from, for `restoreSpec` (lib/restore/restore-spec.ts), the function the
 * rendered restore scenarios use too: the picked backup, the mapped namespaces, the configured kinds.
 */
export function drillRestoreRequest(config: DrillConfig, backupName: string): RestoreRequest {
  return {
    backupName,
    includedNamespaces: Object.keys(config.namespaceMapping),
    namespaceMapping: config.namespaceMapping,
    includedResources: config.includedResources,
    existingResourcePolicy: 'none',
    resourceModifier: config.resourceModifier,
  };
}

export const DEFAULT_TIMEOUTS = {
  restoreTimeoutSeconds: 3600,
  pvcBoundTimeoutSeconds: 600,
  verifyTimeoutSeconds: 600,
  namespaceDeleteTimeoutSeconds: 300,
  pollIntervalSeconds: 5,
} as const;

const RESOURCE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

const isLabel = (s: string): boolean => isDnsLabel(s);

/** `a=b,c=d` (the DRILL_NAMESPACE_MAPPING format), in the mapping's own order. */
export function formatNamespaceMapping(mapping: Readonly<Record<string, string>>): string {
  return Object.entries(mapping)
    .map(([from, to]) => `${from}=${to}`)
    .join(',');
}

/** Parses `a=b,c=d`; throws on an entry that is not `<source>=<target>` or a source named twice. */
export function parseNamespaceMapping(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(entry);
    if (!m) throw new Error(`${ENV.namespaceMapping}: entry '${entry}' is not '<source>=<target>'`);
    if (m[1] in mapping) throw new Error(`${ENV.namespaceMapping}: source namespace '${m[1]}' is mapped twice`);
    mapping[m[1]] = m[2];
  }
  return mapping;
}

/**
 * Everything wrong with a drill config, as messages that name the field, the value and what would be
 * valid. Empty when the config is fine. The runner refuses to start on any; the construct throws.
 */
export function validateDrillConfig(c: DrillConfig): string[] {
  const errors: string[] = [];
  if (!isLabel(c.drillName)) errors.push(`drillName '${c.drillName}' is not a valid label value (DNS-1123 label)`);
  if (!isLabel(c.veleroNamespace)) errors.push(`veleroNamespace '${c.veleroNamespace}' is not a valid namespace name`);
  if (!isLabel(c.schedule)) errors.push(`schedule '${c.schedule}' is not a valid Schedule name`);
  const sources = Object.keys(c.namespaceMapping);
  const targets = Object.values(c.namespaceMapping);
  if (sources.length === 0) errors.push('namespaceMapping is empty; name at least one namespace to restore');
  for (const source of sources) {
    const target = c.namespaceMapping[source];
    if (source === '*') {
      errors.push(`namespaceMapping: source '*' is not allowed; name each namespace to restore`);
      continue;
    }
    if (!isLabel(source)) errors.push(`namespaceMapping: source '${source}' is not a valid namespace name`);
    if (!isLabel(target)) {
      errors.push(`namespaceMapping: target '${target}' of '${source}' is not a valid namespace name`);
    } else if (sources.includes(target)) {
      errors.push(
        `namespaceMapping: target '${target}' of '${source}' is also a restored source namespace; a drill restores into scratch namespaces only, e.g. 'drill-${source}'`,
      );
    } else if (target === c.veleroNamespace || PROTECTED_NAMESPACES.includes(target)) {
      errors.push(
        `namespaceMapping: target '${target}' of '${source}' is a system namespace; use a scratch namespace such as 'drill-${source}'`,
      );
    }
  }
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup) errors.push(`namespaceMapping: target '${dup}' is used twice; each source needs its own scratch namespace`);
  for (const r of c.includedResources) {
    if (!RESOURCE.test(r))
      errors.push(`includedResources: '${r}' is not a resource name such as 'persistentvolumeclaims'`);
  }
  c.verify.forEach((v, i) => {
    const what = `verify[${i}]`;
    if (!(v.namespace in c.namespaceMapping)) {
      errors.push(
        `${what}: namespace '${v.namespace}' is not restored by this drill; restored: ${sources.join(', ') || 'none'}`,
      );
    }
    if (!isDnsSubdomain(v.pvc)) errors.push(`${what}: pvc '${v.pvc}' is not a valid PVC name`);
    const segments = v.path.split('/').filter((s) => s !== '');
    if (segments.length === 0 || segments.includes('..') || /[\0\n]/.test(v.path)) {
      errors.push(
        `${what}: path '${v.path}' must name a file or directory inside the volume, e.g. 'test.txt' (no '..')`,
      );
    }
    if (v.runAsUser !== undefined && !(Number.isInteger(v.runAsUser) && v.runAsUser > 0 && v.runAsUser <= 2147483647)) {
      errors.push(`${what}: runAsUser ${v.runAsUser} must be a non-root numeric UID (1..2147483647)`);
    }
  });
  // one verify pod reads each PVC, as one user
  const users = new Map<string, number | undefined>();
  for (const v of c.verify) {
    const key = `${v.namespace}/${v.pvc}`;
    if (users.has(key) && users.get(key) !== v.runAsUser) {
      errors.push(
        `verify: PVC '${key}' is read as runAsUser ${users.get(key) ?? 'default'} and ${v.runAsUser ?? 'default'}; one pod reads each PVC, give its entries the same runAsUser`,
      );
    }
    users.set(key, v.runAsUser);
  }
  if (c.resourceModifier !== undefined && !isDnsSubdomain(c.resourceModifier))
    errors.push(`resourceModifier '${c.resourceModifier}' is not a ConfigMap name`);
  if (!c.verifyImage || /\s/.test(c.verifyImage))
    errors.push(`verifyImage '${c.verifyImage}' is not an image reference`);
  for (const key of [
    'restoreTimeoutSeconds',
    'pvcBoundTimeoutSeconds',
    'verifyTimeoutSeconds',
    'namespaceDeleteTimeoutSeconds',
    'pollIntervalSeconds',
  ] as const) {
    if (!(Number.isFinite(c[key]) && c[key] > 0)) errors.push(`${key} ${c[key]} must be a positive number of seconds`);
  }
  return errors;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: '${raw}' is not a positive number of seconds`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new Error(`${name} is not set`);
  return v.trim();
}

/** Reads and validates the config the CronJob passes; throws one error listing every problem. */
export function configFromEnv(env: NodeJS.ProcessEnv): DrillConfig {
  const schedule = required(env, ENV.schedule);
  let verify: VerifyTarget[] = [];
  const rawVerify = env[ENV.verify];
  if (rawVerify && rawVerify.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawVerify);
    } catch (e) {
      throw new Error(`${ENV.verify}: not JSON (${(e as Error).message})`, { cause: e });
    }
    const ok = (x: unknown): x is VerifyTarget =>
      typeof x === 'object' &&
      x !== null &&
      typeof (x as VerifyTarget).namespace === 'string' &&
      typeof (x as VerifyTarget).pvc === 'string' &&
      typeof (x as VerifyTarget).path === 'string' &&
      ((x as VerifyTarget).runAsUser === undefined || typeof (x as VerifyTarget).runAsUser === 'number');
    if (!Array.isArray(parsed) || !parsed.every(ok)) {
      throw new Error(`${ENV.verify}: expected a JSON list of {"namespace","pvc","path"[,"runAsUser"]}`);
    }
    verify = parsed;
  }
  const config: DrillConfig = {
    drillName: env[ENV.drillName]?.trim() || `restore-drill-${schedule}`,
    veleroNamespace: required(env, ENV.veleroNamespace),
    schedule,
    namespaceMapping: parseNamespaceMapping(required(env, ENV.namespaceMapping)),
    includedResources: (env[ENV.includedResources] ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
    verify,
    verifyImage: required(env, ENV.verifyImage),
    restoreTimeoutSeconds: seconds(env, ENV.restoreTimeoutSeconds, DEFAULT_TIMEOUTS.restoreTimeoutSeconds),
    pvcBoundTimeoutSeconds: seconds(env, ENV.pvcBoundTimeoutSeconds, DEFAULT_TIMEOUTS.pvcBoundTimeoutSeconds),
    verifyTimeoutSeconds: seconds(env, ENV.verifyTimeoutSeconds, DEFAULT_TIMEOUTS.verifyTimeoutSeconds),
    namespaceDeleteTimeoutSeconds: seconds(
      env,
      ENV.namespaceDeleteTimeoutSeconds,
      DEFAULT_TIMEOUTS.namespaceDeleteTimeoutSeconds,
    ),
    pollIntervalSeconds: seconds(env, ENV.pollIntervalSeconds, DEFAULT_TIMEOUTS.pollIntervalSeconds),
    ...(env[ENV.resourceModifier]?.trim() ? { resourceModifier: env[ENV.resourceModifier]!.trim() } : {}),
  };
  const errors = validateDrillConfig(config);
  if (errors.length) throw new Error(errors.join('; '));
  return config;
}
