export * from './velero-release';
export * from './argocd-application';
export * from './crd-application';
export * from './csi-snapshot-stack';
export * from './backup-schedule';
export * from './backup-alerts';
export * from './restore-drill';
export * from './storage-location-metrics';
