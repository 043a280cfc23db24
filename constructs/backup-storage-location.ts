import { Construct } from 'constructs';
import { BackupStorageLocation as BackupStorageLocationObject } from '../imports/velero-backupstoragelocations-velero.io';
import { StorageProfile } from '../lib/storage/storage-profile';
import type { IVeleroRelease } from './existing-velero-release';

/**
 * A BackupStorageLocation as other constructs read it: one this stack renders (BackupStorageLocation) or
 * one that exists already (a location of `VeleroRelease.fromExisting`).
 */
export interface IBackupStorageLocation {
  /** Object name, what a Schedule's `storageLocation` names. */
  readonly name: string;
  /** The release whose namespace holds it. */
  readonly release: IVeleroRelease;
  /** The object store it points at: bucket, provider config, whether it is the LocalStack test rig. */
  readonly profile: StorageProfile;
  readonly isDefault: boolean;
  readonly accessMode: 'ReadWrite' | 'ReadOnly';
}

export interface BackupStorageLocationProps {
  readonly release: IVeleroRelease;
  /** Object name; Velero's default location is named `default` (the server patches `spec.default: true` onto it). */
  readonly name: string;
  readonly profile: StorageProfile;
  /** Whether this is the default location. */
  readonly default: boolean;
  /**
   * Per-location credentials (Secret name and key). The server copies that key into its credentials
   * file store itself. @default - the release's mounted credentials file
   */
  readonly credential?: { readonly name: string; readonly key: string };
  /** `ReadWrite` or `ReadOnly` (e.g. a restore-only location). @default 'ReadWrite' */
  readonly accessMode?: 'ReadWrite' | 'ReadOnly';
  readonly labels: Record<string, string>;
}

/** A velero.io/v1 BackupStorageLocation. Made by `VeleroRelease` (constructor or `addBackupStorageLocation`). */
export class BackupStorageLocation extends Construct implements IBackupStorageLocation {
  public readonly name: string;
  public readonly release: IVeleroRelease;
  public readonly profile: StorageProfile;
  public readonly isDefault: boolean;
  public readonly accessMode: 'ReadWrite' | 'ReadOnly';

  constructor(scope: Construct, id: string, props: BackupStorageLocationProps) {
    super(scope, id);
    this.name = props.name;
    this.release = props.release;
    this.profile = props.profile;
    this.isDefault = props.default;
    this.accessMode = props.accessMode ?? 'ReadWrite';
    new BackupStorageLocationObject(this, 'Resource', {
      metadata: { name: this.name, namespace: props.release.namespace, labels: props.labels },
      spec: {
        // gitops-pitfalls.md row 5: emit `default: true` on the default BSL so the server's patch causes no drift
        default: props.default,
        provider: 'aws',
        accessMode: this.accessMode as never,
        objectStorage: {
          bucket: props.profile.bucket,
          ...(props.profile.prefix ? { prefix: props.profile.prefix } : {}),
          ...(props.profile.caCert ? { caCert: Buffer.from(props.profile.caCert).toString('base64') } : {}),
        },
        config: { ...props.profile.config },
        ...(props.credential ? { credential: { name: props.credential.name, key: props.credential.key } } : {}),
      },
    });
  }
}
