import { App, Chart, Testing } from 'cdk8s';
import { VeleroRelease, type VeleroReleaseProps } from '../constructs/velero-release';
import { StorageProfile } from '../lib/storage/storage-profile';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
};

/** A fresh chart in a fresh app (no hashes), for construct tests. */
export function testChart(): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  return { app, chart };
}

/** A VeleroRelease on LocalStack unless props say otherwise. */
export function testRelease(chart: Chart, props: Partial<VeleroReleaseProps> = {}): VeleroRelease {
  return new VeleroRelease(chart, 'Velero', { storage: StorageProfile.localStack(), ...props });
}

export function objects(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}

/** The one object of that kind and name; fails the test if there is not exactly one. */
export function find(objs: K8sObject[], kind: string, name: string): K8sObject {
  const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name);
  if (hits.length !== 1) throw new Error(`expected one ${kind} '${name}', found ${hits.length}`);
  return hits[0];
}
