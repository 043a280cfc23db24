/**
 * Issue 23's bad-input catalog (test/fixtures/bad-inputs-store.ts): each mistake is refused through the real
 * `npm run synth -- --config` path with its exact one-line message and nothing written; each edge value the
 * consumer accepts renders through every synth check; and every new field has at least one of each.
 */
import { NO_REPOSITORY_WARNING } from '../../lib/plan/plan';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthConfig } from '../../cli/commands';
import { STORE_BAD_INPUTS, STORE_VALID_EDGES } from '../fixtures/bad-inputs-store';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bad-input-store-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the synth, returning its exit code and what it printed to stderr. */
function synth(config: Parameters<typeof synthConfig>[0], outDir: string): { code: number; errors: string[] } {
  const errors: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return { code: synthConfig(config, { outDir }), errors };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

test.each(STORE_BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s, writing nothing', (_name, c) => {
  const out = join(work, 'refused');
  const { code, errors } = synth(c.config, out);
  expect(errors).toEqual([c.message]);
  expect(code).toBe(1);
  expect(existsSync(out)).toBe(false);
});

test.each(STORE_VALID_EDGES.map((c) => [c.name, c] as const))('renders %s', (name, c) => {
  const { code, errors } = synth(c.config, join(work, name.replace(/\W+/g, '-')));
  // the plan's warning of a config naming no Git repository is not a refusal (docs/pitfalls.md#argocd-repository)
  expect(errors.filter((e) => !e.startsWith('validate: ') && e !== `synth: WARNING: ${NO_REPOSITORY_WARNING}`)).toEqual(
    [],
  );
  expect(code).toBe(0);
});

test('every refusal is one line under 300 characters', () => {
  expect(STORE_BAD_INPUTS.filter((c) => c.message.includes('\n') || c.message.length > 300).map((c) => c.name)).toEqual(
    [],
  );
});

test('every field of the catalog has a refused bad value and an accepted edge value', () => {
  const refused = new Set(STORE_BAD_INPUTS.map((c) => c.field));
  const accepted = new Set(STORE_VALID_EDGES.map((c) => c.field));
  expect([...refused].filter((f) => !accepted.has(f))).toEqual([]);
  expect([...accepted].filter((f) => !refused.has(f))).toEqual([]);
});
