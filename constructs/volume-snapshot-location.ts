import { Construct } from 'constructs';
import { VolumeSnapshotLocation as VolumeSnapshotLocationObject } from '../imports/velero-volumesnapshotlocations-velero.io';
import type { IVeleroRelease } from './existing-velero-release';

/**
 * A VolumeSnapshotLocation as other constructs read it: one this stack renders (VolumeSnapshotLocation) or
 * one that exists already (a location of `VeleroRelease.fromExisting`).
 */
export interface IVolumeSnapshotLocation {
  /** Object name, what a Schedule's `volumeSnapshotLocations` names. */
  readonly name: string;
  /** The release whose namespace holds it. */
  readonly release: IVeleroRelease;
}

export interface VolumeSnapshotLocationProps {
  readonly release: IVeleroRelease;
  /** @default 'default' */
  readonly name?: string;
  /** Region passed to the volume snapshotter. */
  readonly region: string;
  readonly labels: Record<string, string>;
}

/**
 * A velero.io/v1 VolumeSnapshotLocation, provider `aws` (the only volume snapshotter plugin installed),
 * as `velero install` renders it. Schedules name it in `volumeSnapshotLocations`.
 *
 * CSI volumes do not use it: with `--features=EnableCSI`, Velero hands every CSI-backed PV to its
 * built-in CSI actions and skips the native snapshotter for them; the snapshot itself is taken through the
 * VolumeSnapshotClass labelled `velero.io/csi-volumesnapshot-class` (CsiSnapshotStack).
 */
export class VolumeSnapshotLocation extends Construct implements IVolumeSnapshotLocation {
  public readonly name: string;
  public readonly release: IVeleroRelease;

  constructor(scope: Construct, id: string, props: VolumeSnapshotLocationProps) {
    super(scope, id);
    this.name = props.name ?? 'default';
    this.release = props.release;
    new VolumeSnapshotLocationObject(this, 'Resource', {
      metadata: { name: this.name, namespace: props.release.namespace, labels: props.labels },
      spec: { provider: 'aws', config: { region: props.region } },
    });
  }
}
