/**
 * The project's Node is pinned once, in .node-version (what `.ci/run` installs and runs everything under);
 * the engines field, the esbuild targets and the drill's image move with it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DRILL_NODE_VERSION } from '../../lib/versions/versions';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const pinned = read('.node-version').trim();
const major = pinned.split('.')[0];

test('.node-version pins one exact Node 24 LTS release', () => {
  expect(pinned).toMatch(/^24\.\d+\.\d+$/);
});

test("the drill's image runs the same Node release as CI", () => {
  expect(DRILL_NODE_VERSION).toBe(`${pinned}-alpine`);
});

test("package.json's engines asks for that major", () => {
  expect(JSON.parse(read('package.json')).engines).toEqual({ node: `>=${major}` });
});

test('the app bundles for that major', () => {
  expect(read('scripts/lib/load-entry.mjs').match(/target: '(node\d+)'/g)).toEqual([`target: 'node${major}'`]);
});

test('the drill runner bundles for that major', () => {
  expect(JSON.parse(read('drill/build.json')).target).toBe(`node${major}`);
});
