export * from './velero-release';
export * from './argocd-application';
export * from './crd-application';
