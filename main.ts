/**
 * This repository's own config: what `velero-cdk8s synth` (npm run synth) renders into dist/ and ArgoCD syncs.
 * The CLI reads the default export of main.ts by convention (after --config and velero-cdk8s.yaml/.json).
 * Here it is the seed homelab (examples/seed.ts); a fork states its own config here instead.
 */
export { SEED_CONFIG as default } from './examples/seed.ts';
