import { Construct } from 'constructs';
import { checkLabels } from '../lib/kube/labels';
import { assertDnsLabel } from '../lib/kube/names';
import { checkConstruct, checkProps } from '../lib/validation/props';
import type { StorageProfile } from '../lib/storage/storage-profile';
import { checkVeleroVersion } from '../lib/versions/compatibility';
import type { IBackupStorageLocation } from './backup-storage-location';
import type { IVolumeSnapshotLocation } from './volume-snapshot-location';
import { ACCESS_MODE_DEFAULT, RELEASE_DEFAULTS } from '../lib/config/defaults';
import type { ReleaseConfig } from '../lib/config/types';

/**
 * A Velero release as the constructs that target it read it (BackupSchedule, BackupAlerts, RestoreDrill,
 * CrdApplication, the locations): one this stack renders (VeleroRelease) or one installed otherwise, e.g.
 * by the Helm chart (`VeleroRelease.fromExisting`, or any object with these fields).
 */
export interface IVeleroRelease {
  /** Namespace of the server: its Schedules and locations live there. */
  readonly namespace: string;
  /** Velero image tag (`v1.15.0`): which metrics exist, which CRDs to sync. */
  readonly version: string;
  /** The server runs with `--features=EnableCSI`. */
  readonly csiEnabled: boolean;
  /** The node-agent DaemonSet runs (file-system backup, snapshot data movement). */
  readonly nodeAgentEnabled: boolean;
  /** The server's ServiceAccount. */
  readonly serviceAccountName: string;
  /** Name of the metrics Service: the Prometheus `job` label of the server's series. */
  readonly metricsServiceName: string;
  /** Labels the Prometheus `serviceMonitorSelector` and `ruleSelector` look for. */
  readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  /** Where Schedules back up unless they name another location. */
  readonly defaultStorageLocation: IBackupStorageLocation;
  /** Every BackupStorageLocation; the first is the default. */
  readonly storageLocations: readonly IBackupStorageLocation[];
  /** The snapshot location Schedules use by default (none when CSI snapshots are off). */
  readonly defaultSnapshotLocation?: IVolumeSnapshotLocation;
  /** Every VolumeSnapshotLocation. */
  readonly snapshotLocations: readonly IVolumeSnapshotLocation[];
}

/** A Velero release this stack does not render (installed by Helm, `velero install`, another repo). */
/**
 * An installed release's props: `namespace`, `csiSnapshots` and `prometheusSelectorLabels` are the config's
 * (`ReleaseConfig`, documented there with their defaults); the rest describes what the install already runs.
 */
export interface ExistingVeleroReleaseProps
  extends
    Pick<ReleaseConfig, 'namespace' | 'csiSnapshots'>,
    Pick<NonNullable<ReleaseConfig['metrics']>, 'prometheusSelectorLabels'> {
  /** The installed server's image tag, e.g. `v1.15.0` (Helm: the chart's `image.tag`). */
  readonly version: string;
  /** Object store of the default BackupStorageLocation, named `default` (Helm: `configuration.backupStorageLocation`). */
  readonly storage: StorageProfile;
  /** Further BackupStorageLocations that exist, by name. @default [] */
  readonly additionalStorageLocations?: readonly {
    readonly name: string;
    readonly profile: StorageProfile;
    /** @default 'ReadWrite' */
    readonly accessMode?: 'ReadWrite' | 'ReadOnly';
  }[];
  /** Names of the VolumeSnapshotLocations; the first is the default. @default ['default'] with csiSnapshots, else [] */
  readonly snapshotLocations?: readonly string[];
  /** The node-agent runs. @default false */
  readonly nodeAgent?: boolean;
  /** The server's ServiceAccount. @default 'velero' (Helm: `serviceAccount.server.name`, the release name by default) */
  readonly serviceAccountName?: string;
  /** The metrics Service, the `job` label of the server's series. @default 'velero' (Helm: the release's fullname) */
  readonly metricsServiceName?: string;
}

/** The IVeleroRelease of `VeleroRelease.fromExisting`: checked like a rendered one, renders nothing. */
export class ExistingVeleroRelease extends Construct implements IVeleroRelease {
  public readonly namespace: string;
  public readonly version: string;
  public readonly csiEnabled: boolean;
  public readonly nodeAgentEnabled: boolean;
  public readonly serviceAccountName: string;
  public readonly metricsServiceName: string;
  public readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  public readonly storageLocations: readonly IBackupStorageLocation[];
  public readonly defaultStorageLocation: IBackupStorageLocation;
  public readonly snapshotLocations: readonly IVolumeSnapshotLocation[];
  public readonly defaultSnapshotLocation?: IVolumeSnapshotLocation;

  constructor(scope: Construct, id: string, props: ExistingVeleroReleaseProps) {
    super(scope, id);
    const subject = 'existing velero release';
    checkProps(subject, props, {
      namespace: 'string?',
      version: 'string',
      additionalStorageLocations: 'object[]?',
      csiSnapshots: 'boolean?',
      snapshotLocations: 'string[]?',
      nodeAgent: 'boolean?',
      serviceAccountName: 'string?',
      metricsServiceName: 'string?',
      prometheusSelectorLabels: 'record?',
    });
    checkConstruct(subject, 'storage', props.storage, 'a StorageProfile', ['kind', 'bucket', 'config']);
    (props.additionalStorageLocations ?? []).forEach((l, i) =>
      checkProps(
        subject,
        l,
        { name: 'string', profile: 'object', accessMode: ['ReadWrite', 'ReadOnly'] },
        `additionalStorageLocations[${i}].`,
      ),
    );
    checkLabels(subject, 'prometheusSelectorLabels', props.prometheusSelectorLabels ?? {});
    this.namespace = props.namespace ?? RELEASE_DEFAULTS.namespace;
    this.version = props.version;
    try {
      checkVeleroVersion(this.version);
    } catch (e) {
      throw new Error(`existing velero release: ${(e as Error).message}`, { cause: e });
    }
    assertDnsLabel('existing velero release: namespace', this.namespace);
    this.csiEnabled = props.csiSnapshots ?? RELEASE_DEFAULTS.csiSnapshots;
    this.nodeAgentEnabled = props.nodeAgent ?? false;
    this.serviceAccountName = props.serviceAccountName ?? 'velero';
    this.metricsServiceName = props.metricsServiceName ?? 'velero';
    this.prometheusSelectorLabels = {
      ...(props.prometheusSelectorLabels ?? RELEASE_DEFAULTS.prometheusSelectorLabels),
    };
    const storage = [
      { name: 'default', profile: props.storage, isDefault: true, accessMode: 'ReadWrite' as const },
      ...(props.additionalStorageLocations ?? []).map((l) => ({
        name: l.name,
        profile: l.profile,
        isDefault: false,
        accessMode: l.accessMode ?? ACCESS_MODE_DEFAULT,
      })),
    ];
    this.storageLocations = storage.map((l) => ({ ...l, release: this }));
    this.defaultStorageLocation = this.storageLocations[0];
    const snapshots = props.snapshotLocations ?? (this.csiEnabled ? ['default'] : []);
    this.snapshotLocations = snapshots.map((name) => ({ name, release: this }));
    this.defaultSnapshotLocation = this.snapshotLocations[0];
    for (const [what, names] of [
      ['storage location', this.storageLocations.map((l) => l.name)],
      ['snapshot location', snapshots],
    ] as const) {
      names.forEach((name, i) => {
        assertDnsLabel(`existing velero release: ${what} name`, name);
        if (names.indexOf(name) !== i) {
          throw new Error(`existing velero release: ${what} '${name}' is listed twice; list each location once`);
        }
      });
    }
  }
}
