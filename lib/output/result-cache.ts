/**
 * The result cache of `npm run synth` (scripts/lib/load-entry.mjs `resultCache`), keyed by the sha256 of the
 * app bundle that runs and by the input; none under jest or with VELERO_CDK8S_CACHE=off.
 */
export interface ResultCache {
  get(name: string, input: string): string | undefined;
  set(name: string, input: string, text: string): void;
}
export const resultCache = (): ResultCache | undefined =>
  (globalThis as Record<symbol, ResultCache | undefined>)[Symbol.for('velero-cdk8s.result-cache')];
