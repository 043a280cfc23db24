/**
 * The layout tells the architecture (README "Layout", issue 27): test files sit in folders by subject, as lib/ does,
 * never flat in test/. (That no function in constructs/, lib/ or cli/ is over ~80 lines is eslint's
 * max-lines-per-function in eslint.config.mjs, which `npm run lint` and CI run.)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TEST = join(ROOT, 'test');
const LIB_SUBJECTS = readdirSync(join(ROOT, 'lib'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

test('no test file sits flat in test/: each is in a folder by subject', () => {
  expect(readdirSync(TEST).filter((f) => f.endsWith('.test.ts'))).toEqual([]);
});

test.each(readdirSync(TEST, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'fixtures'))(
  "test/$name/ is a subject: one of lib/'s, or cli, constructs, cluster, docs",
  ({ name }) => {
    expect([...LIB_SUBJECTS, 'cli', 'constructs', 'cluster', 'docs']).toContain(name);
  },
);
