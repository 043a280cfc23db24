import { Construct } from 'constructs';
import { BackupStorageLocation as BackupStorageLocationObject } from '../imports/velero-backupstoragelocations-velero.io';
import { StorageProfile } from '../lib/storage/storage-profile';
import { checkCrdField } from '../lib/versions/crd-fields';
import type { IVeleroRelease } from './existing-velero-release';
import { ACCESS_MODE_DEFAULT } from '../lib/config/defaults';
import type { StorageLocationBase } from '../lib/config/types';

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

/**
 * A location's props: `credential` and `accessMode` are the config's (`StorageLocationBase`, documented there with
 * their defaults); the rest is resolved by the stack (lib/config/locations.ts).
 */
export interface BackupStorageLocationProps extends Pick<StorageLocationBase, 'credential' | 'accessMode'> {
  readonly release: IVeleroRelease;
  /** Object name; Velero's default location is named `default` (the server patches `spec.default: true` onto it). */
  readonly name: string;
  readonly profile: StorageProfile;
  /** Whether this is the default location. */
  readonly default: boolean;
  /**
   * CA bundle of the object store from a Secret key (`spec.objectStorage.caCertRef`, Velero 1.18+), instead of
   * the profile's inline `caCert`. @default - none
   */
  readonly caCertRef?: { readonly name: string; readonly key: string };
  readonly labels: Record<string, string>;
}

/**
 * The imported (v1.15-typed) object plus `spec.objectStorage.caCertRef`, which arrived in the v1.18 CRD:
 * imports/ carries the oldest line's types, and their toJson drops fields it does not know (patches included).
 */
class BackupStorageLocationResource extends BackupStorageLocationObject {
  constructor(
    scope: Construct,
    id: string,
    private readonly caCertRef: { readonly name: string; readonly key: string } | undefined,
    props: ConstructorParameters<typeof BackupStorageLocationObject>[2],
  ) {
    super(scope, id, props);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  public override toJson(): any {
    const json = super.toJson();
    if (!this.caCertRef) return json;
    const caCertRef = { name: this.caCertRef.name, key: this.caCertRef.key };
    return { ...json, spec: { ...json.spec, objectStorage: { ...json.spec.objectStorage, caCertRef } } };
  }
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
    this.accessMode = props.accessMode ?? ACCESS_MODE_DEFAULT;
    const subject = `velero release: storage location '${this.name}'`;
    if (props.caCertRef) {
      checkCrdField(subject, 'BackupStorageLocation', 'spec.objectStorage.caCertRef', props.release.version);
      if (props.profile.caCert) {
        throw new Error(`${subject}: caCertRef and the profile's caCert are both set; keep one`);
      }
    }
    new BackupStorageLocationResource(this, 'Resource', props.caCertRef, {
      metadata: { name: this.name, namespace: props.release.namespace, labels: props.labels },
      spec: {
        // docs/pitfalls.md#default-bsl: emit `default: true` on the default BSL so the server's patch causes no drift
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
