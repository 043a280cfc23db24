import { buildScaleApp, NAMESPACES, SCHEDULES, STORAGE_LOCATIONS } from '../../bench/scale-app';
import { synthChecks } from '../../index';
import { renderApp } from '../../lib/output/output';

test('the benchmark scale config (100 schedules, 300 namespaces, 5 BSLs) renders valid output', () => {
  const { app, release } = buildScaleApp();
  const objects = renderApp(app);
  const kinds = (k: string) => objects.filter((o) => o.object.kind === k).length;
  expect(kinds('Schedule')).toBe(SCHEDULES);
  expect(kinds('BackupStorageLocation')).toBe(STORAGE_LOCATIONS);
  const namespaces = new Set(
    objects
      .filter((o) => o.object.kind === 'Schedule')
      .flatMap((o) => (o.object as any).spec.template.includedNamespaces),
  );
  expect(namespaces.size).toBe(NAMESPACES);
  expect(synthChecks(() => release).flatMap((check) => check(objects))).toEqual([]);
});
