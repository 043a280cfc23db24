/**
 * The template toolchain T of `npm run bench`: the repository's config (main.ts) in a cdk8s App as
 * `cdk8s init typescript-app` would write it (`npx ts-node bench/template-app.ts`, `app.synth()`).
 */
import { App } from 'cdk8s';
import { BackupStack } from '../constructs/backup-stack';
import config from '../main';

const app = new App();
new BackupStack(app, 'Seed', config);
app.synth();
