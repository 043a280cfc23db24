/**
 * The ArgoCD health checks for Velero's kinds (lib/argocd/argocd-settings.ts VELERO_HEALTH_LUA), run on a
 * real Lua VM (test/fixtures/lua-vm.ts: fengari, weighed against wasmoon there) against every phase each
 * Velero line's CRD schema allows (schemas/velero/<tag>/, committed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argocdHealthCustomizations, VELERO_HEALTH_LUA, veleroHealthKey } from '../../lib/argocd/argocd-settings';
import { runHealthLua } from '../fixtures/lua-vm';

const SCHEMAS = join(__dirname, '..', '..', 'schemas', 'velero');
const LINES = readdirSync(SCHEMAS).sort();
const FILES: Record<string, string> = {
  BackupStorageLocation: 'backupstoragelocations.velero.io.json',
  Schedule: 'schedules.velero.io.json',
  Backup: 'backups.velero.io.json',
  Restore: 'restores.velero.io.json',
};

interface StatusSchema {
  readonly properties: Record<string, { enum?: string[]; type?: string | string[] }>;
}
function statusSchema(line: string, kind: string): { group: string; kind: string; status: StatusSchema } {
  const crd = JSON.parse(readFileSync(join(SCHEMAS, line, FILES[kind]), 'utf8'));
  return { group: crd.group, kind: crd.kind, status: crd.versions.v1.schema.properties.status };
}

/** What ArgoCD should show for each phase Velero writes (the behaviour, per kind). */
const EXPECTED: Record<string, Record<string, string>> = {
  BackupStorageLocation: { Available: 'Healthy', Unavailable: 'Degraded' },
  Schedule: { New: 'Progressing', Enabled: 'Healthy', FailedValidation: 'Degraded' },
  Backup: {
    New: 'Progressing',
    Queued: 'Progressing',
    ReadyToStart: 'Progressing',
    InProgress: 'Progressing',
    WaitingForPluginOperations: 'Progressing',
    WaitingForPluginOperationsPartiallyFailed: 'Progressing',
    Finalizing: 'Progressing',
    FinalizingPartiallyFailed: 'Progressing',
    Completed: 'Healthy',
    PartiallyFailed: 'Degraded',
    Failed: 'Degraded',
    FailedValidation: 'Degraded',
    Deleting: 'Progressing',
  },
  Restore: {
    New: 'Progressing',
    InProgress: 'Progressing',
    WaitingForPluginOperations: 'Progressing',
    WaitingForPluginOperationsPartiallyFailed: 'Progressing',
    Finalizing: 'Progressing',
    FinalizingPartiallyFailed: 'Progressing',
    Completed: 'Healthy',
    PartiallyFailed: 'Degraded',
    Failed: 'Degraded',
    FailedValidation: 'Degraded',
  },
};

/** What Velero writes next to a phase (when the line's schema has the field): the reasons the checks show. */
const EXAMPLE_FIELDS: Record<string, Record<string, unknown>> = {
  Unavailable: { message: 'BackupStorageLocation "default" is unavailable: rpc error: NoSuchBucket' },
  FailedValidation: { validationErrors: ['invalid schedule: expected exactly 5 fields'] },
};

/** A Velero object of `kind` in `phase`, with the status fields its line's schema allows. */
function objectIn(line: string, kind: string, phase: string, spec: Record<string, unknown> = {}) {
  const { status } = statusSchema(line, kind);
  const extra = Object.fromEntries(Object.entries(EXAMPLE_FIELDS[phase] ?? {}).filter(([k]) => k in status.properties));
  return {
    apiVersion: 'velero.io/v1',
    kind,
    metadata: { name: 'x', namespace: 'velero' },
    spec,
    status: { phase, ...extra },
  };
}

const CASES = LINES.flatMap((line) =>
  Object.keys(FILES).flatMap((kind) =>
    (statusSchema(line, kind).status.properties.phase.enum ?? []).map((phase) => ({ line, kind, phase })),
  ),
);

/** ArgoCD's ExecuteHealthLua on the kind's script. */
const health = async (kind: string, obj: unknown) => runHealthLua(VELERO_HEALTH_LUA[kind], obj);

describe('the health of each phase Velero writes, at every line (schemas/velero/<tag>)', () => {
  test('the lines are the supported ones, 1.15 to 1.18', () => {
    expect(LINES).toEqual(['v1.15.0', 'v1.16.2', 'v1.17.2', 'v1.18.1']);
  });

  test.each(CASES)('$line $kind $phase', async ({ line, kind, phase }) => {
    expect(EXPECTED[kind]).toHaveProperty([phase]); // a new phase upstream fails here until it is mapped
    expect((await health(kind, objectIn(line, kind, phase))).status).toBe(EXPECTED[kind][phase]);
  });
});

describe('what the Application shows', () => {
  test.each([
    [
      'an Unavailable location is Degraded, with Velero message',
      'BackupStorageLocation',
      'Unavailable',
      {},
      { status: 'Degraded', message: `Unavailable: ${EXAMPLE_FIELDS.Unavailable.message}` },
    ],
    [
      'an Available location is Healthy',
      'BackupStorageLocation',
      'Available',
      {},
      { status: 'Healthy', message: 'Available' },
    ],
    [
      'a Schedule that failed validation is Degraded, with the errors',
      'Schedule',
      'FailedValidation',
      {},
      { status: 'Degraded', message: 'FailedValidation: invalid schedule: expected exactly 5 fields' },
    ],
    [
      'a paused Schedule is Suspended',
      'Schedule',
      'Enabled',
      { paused: true },
      { status: 'Suspended', message: 'paused' },
    ],
    [
      'a PartiallyFailed Backup is Degraded',
      'Backup',
      'PartiallyFailed',
      {},
      { status: 'Degraded', message: 'phase PartiallyFailed' },
    ],
    [
      'an unknown future phase is Unknown',
      'Backup',
      'Exploded',
      {},
      { status: 'Unknown', message: 'unknown phase Exploded' },
    ],
  ])('%s', async (_name, kind, phase, spec, expected) => {
    expect(await health(kind, objectIn('v1.18.1', kind, phase, spec))).toEqual(expected);
  });

  test.each(Object.keys(FILES))('a %s Velero has not written a status for yet is Progressing', async (kind) => {
    const obj = { apiVersion: 'velero.io/v1', kind, metadata: { name: 'x' }, spec: {} };
    expect((await health(kind, obj)).status).toBe('Progressing');
  });

  test('a Failed Backup shows its failureReason', async () => {
    const obj = objectIn('v1.18.1', 'Backup', 'Failed');
    const hs = await health('Backup', {
      ...obj,
      status: { ...obj.status, failureReason: 'get a backup with status "InProgress" during the server starting' },
    });
    expect(hs.message).toBe('phase Failed: get a backup with status "InProgress" during the server starting');
  });
});

describe("the VM is ArgoCD's", () => {
  test.each([
    ['string.format (no string library in ArgoCD)', 'return { status = string.format("%s", "Healthy") }', /string/],
    ['a runtime error', 'return { status = obj.status.phase .. nil }', /concatenate/],
  ])('%s fails', (_name, script, error) => {
    expect(() => runHealthLua(script, { status: { phase: 'x' } })).toThrow(error);
  });

  test('a status ArgoCD does not know reads as Unknown', () => {
    expect(runHealthLua('return { status = "Fine" }', {})).toEqual({
      status: 'Unknown',
      message: 'invalid health status',
    });
  });
});

describe('the argocd-cm keys', () => {
  // argo-cd@v3.5.1 util/settings/settings.go: SplitN(key, ".", 4), then convertToOverrideKey splits at '_'
  const overrideKey = (key: string) => key.split('.').slice(3).join('.').split('_').join('/');

  test.each(Object.keys(FILES))('%s: the key names the CRD group and kind', (kind) => {
    const { group, kind: crdKind } = statusSchema('v1.18.1', kind);
    expect(overrideKey(veleroHealthKey(kind))).toBe(`${group}/${crdKind}`);
    expect(veleroHealthKey(kind).split('.').slice(0, 3).join('.')).toBe('resource.customizations.health');
  });

  test('the README gives exactly these checks in its argocd-cm snippet', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(
      argocdHealthCustomizations()
        .split('\n')
        .map((l) => (l ? `  ${l}` : l))
        .join('\n'),
    );
  });
});
