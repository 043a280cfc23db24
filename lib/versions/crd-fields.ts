/**
 * CRD fields that not every supported Velero line has, among those the constructs can render:
 * rendering one for a line whose CRDs lack it is a synth error naming the field and the first line that has
 * it. (The API server would prune an unknown field silently, and the setting would be lost.)
 *
 * The table is the diff of the CRD schemas of the four lines (v1.15.0 `config/crd`, and v1.16.2, v1.17.2,
 * v1.18.1) restricted to the kinds and fields the constructs render (Schedule, BackupStorageLocation,
 * VolumeSnapshotLocation); test/versions/line-data.test.ts recomputes that diff from the upstream CRDs when they are
 * beside the repo and compares. Nothing a construct renders was removed in these lines.
 */
import { VELERO_LINES, veleroLineOf } from './velero-lines';

export interface LineDependentField {
  /** Kind, e.g. `Schedule`. */
  readonly kind: string;
  /** Dotted path in the object, e.g. `spec.template.volumeGroupSnapshotLabelKey`. */
  readonly path: string;
  /** The first line whose CRD has it, e.g. `1.17`. */
  readonly since: string;
}

export const LINE_DEPENDENT_FIELDS: readonly LineDependentField[] = [
  { kind: 'Schedule', path: 'spec.template.volumeGroupSnapshotLabelKey', since: '1.17' },
  { kind: 'BackupStorageLocation', path: 'spec.objectStorage.caCertRef', since: '1.18' },
];

/** The kinds whose CRD-schema diff the table covers (what the constructs render). */
export const RENDERED_KINDS: readonly string[] = ['Schedule', 'BackupStorageLocation', 'VolumeSnapshotLocation'];

function lineIndex(line: string): number {
  return VELERO_LINES.findIndex((l) => l.line === line);
}

/**
 * Throws when `path` of `kind` is set for a Velero `version` whose CRDs lack it:
 * `schedule 'x': spec.template.volumeGroupSnapshotLabelKey needs Velero v1.17 or later (its CRD arrives in v1.17.0); got v1.16.2`.
 */
export function checkCrdField(subject: string, kind: string, path: string, version: string): void {
  const field = LINE_DEPENDENT_FIELDS.find((f) => f.kind === kind && f.path === path);
  if (!field)
    throw new Error(`crd fields: ${kind} ${path} is not in LINE_DEPENDENT_FIELDS; add it with its first line`);
  const line = veleroLineOf(version);
  if (lineIndex(line.line) < lineIndex(field.since)) {
    throw new Error(
      `${subject}: ${path} needs Velero v${field.since} or later (the field first appears in the v${field.since}.0 ${kind} CRD); got ${version}: drop it or raise the VeleroRelease version`,
    );
  }
}
