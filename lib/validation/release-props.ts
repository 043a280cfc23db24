/**
 * Run-time checks of VeleroRelease's props (a config that arrives as data, or JS, has no compiler): their
 * JS types, and the fields that reach the YAML unchanged, against what their consumer accepts.
 */
import { checkLabels } from '../kube/labels';
import { assertDnsLabel, checkSecretKeyRef } from '../kube/names';
import { foreignNamespaceOwner } from '../kube/protected-namespaces';
import { parsePromDuration } from '../units/duration';
import { checkConstruct, checkProps, type PropSpec } from './props';
import { RELEASE_DEFAULTS } from '../config/defaults';

/** What the checks read of the props (VeleroReleaseProps is one). */
export interface ReleasePropsToCheck {
  readonly namespace?: string;
  readonly storage: unknown;
  readonly credentials?: object;
  readonly nodeAgent?: object;
  readonly metrics?: {
    readonly prometheusSelectorLabels?: Readonly<Record<string, string>>;
    readonly interval?: string;
    readonly serviceMonitorNamespace?: string;
  };
  readonly repositoryMaintenance?: { readonly keepLatestJobs?: number };
  readonly logLevel?: string;
}

/** Velero's `--log-level` values: logrus' levels (pkg/util/logging/log_level_flag.go); any other stops the server. */
export const VELERO_LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'fatal', 'panic'] as const;
export type VeleroLogLevel = (typeof VELERO_LOG_LEVELS)[number];

const RELEASE_PROPS: PropSpec = {
  installedBy: 'object?',
  namespace: 'string?',
  version: 'string?',
  awsPluginVersion: 'string?',
  uploaderType: 'string?',
  repositoryMaintenance: 'object?',
  storage: 'object',
  storageAccessMode: 'string?',
  credentials: 'object?',
  renderLocalStackCredentials: 'boolean?',
  csiSnapshots: 'boolean?',
  features: 'string[]?',
  nodeAgent: 'object?',
  resources: 'object?',
  metrics: 'object?',
  logLevel: 'string?',
};
const SCRAPE_TIMEOUT_SECONDS = 10;

/** Checks the JS types of the props and the fields that reach the YAML unchanged. */
export function checkReleaseProps(props: ReleasePropsToCheck): void {
  const subject = 'velero release';
  checkProps(subject, props, RELEASE_PROPS);
  checkConstruct(subject, 'storage', props.storage, 'a StorageProfile', ['kind', 'bucket', 'config']);
  if (props.credentials) checkProps(subject, props.credentials, { name: 'string?', key: 'string?' }, 'credentials.');
  if (props.nodeAgent) {
    checkProps(
      subject,
      props.nodeAgent,
      { enabled: 'boolean?', resources: 'object?', tolerations: 'object[]?' },
      'nodeAgent.',
    );
  }
  if (props.metrics) {
    checkProps(
      subject,
      props.metrics,
      {
        serviceMonitor: 'boolean?',
        prometheusSelectorLabels: 'record?',
        interval: 'string?',
        serviceMonitorNamespace: 'string?',
      },
      'metrics.',
    );
    if (props.metrics.serviceMonitorNamespace !== undefined) {
      assertDnsLabel(`${subject}: metrics.serviceMonitorNamespace`, props.metrics.serviceMonitorNamespace);
    }
    checkLabels(subject, 'metrics.prometheusSelectorLabels', props.metrics.prometheusSelectorLabels ?? {});
    const interval = props.metrics.interval;
    if (interval !== undefined) {
      const seconds = parsePromDuration(interval);
      if (seconds === undefined || seconds < SCRAPE_TIMEOUT_SECONDS) {
        throw new Error(
          `${subject}: metrics.interval '${interval}' ${seconds === undefined ? "is not a Prometheus duration (e.g. '30s' or '1m')" : `is shorter than the ${SCRAPE_TIMEOUT_SECONDS}s scrape timeout, which Prometheus refuses`}; use e.g. '30s' (docs/pitfalls.md#scrape-interval)`,
        );
      }
    }
  }
  if (props.repositoryMaintenance) {
    checkProps(
      subject,
      props.repositoryMaintenance,
      { keepLatestJobs: 'integer?', resources: 'object?' },
      'repositoryMaintenance.',
    );
    const keep = props.repositoryMaintenance.keepLatestJobs;
    if (keep !== undefined && keep < 0) {
      throw new Error(
        `${subject}: repositoryMaintenance.keepLatestJobs ${keep} is negative; use 0 or more, e.g. 3 (docs/pitfalls.md#prop-types)`,
      );
    }
  }
  if (props.logLevel !== undefined && !(VELERO_LOG_LEVELS as readonly string[]).includes(props.logLevel)) {
    throw new Error(
      `${subject}: logLevel '${props.logLevel}' is not a Velero log level, and the server would exit at start-up; use one of ${VELERO_LOG_LEVELS.join(', ')} (docs/pitfalls.md#log-level)`,
    );
  }
  const namespace = props.namespace ?? RELEASE_DEFAULTS.namespace;
  const owner = foreignNamespaceOwner(namespace);
  if (owner) {
    throw new Error(
      `${subject}: namespace '${namespace}' ${owner}; the release renders its Namespace (Pod Security, Prune=false), so give Velero a namespace of its own, e.g. 'velero' (docs/pitfalls.md#foreign-namespace)`,
    );
  }
}

/** Seconds of a Prometheus duration (`30s`, `1m30s`), or undefined when it is not one. */

/** Checks the options of `VeleroRelease.addBackupStorageLocation(name, options)`. */
export function checkStorageLocationOptions(
  name: string,
  options:
    | {
        readonly profile?: unknown;
        readonly credential?: { name: string; key: string };
        readonly caCertRef?: { name: string; key: string };
      }
    | undefined,
): void {
  const where = `velero release: storage location '${name}'`;
  checkConstruct(where, 'profile', options?.profile, 'a StorageProfile', ['kind', 'bucket', 'config']);
  checkProps(where, options, {
    default: 'boolean?',
    credential: 'object?',
    accessMode: ['ReadWrite', 'ReadOnly'],
    caCertRef: 'object?',
  });
  if (options?.credential) checkSecretKeyRef(where, 'credential', options.credential);
  if (options?.caCertRef) checkSecretKeyRef(where, 'caCertRef', options.caCertRef);
}
