/** The heartbeat runner's config and environment, shared with constructs/backup-heartbeat.ts (no runner code). */

/** The CronJob's environment. */
export const HEARTBEAT_ENV = {
  /** JSON of HeartbeatConfig. */
  config: 'HEARTBEAT_CONFIG',
  /** The URL, from the Secret. */
  url: 'HEARTBEAT_URL',
} as const;

export interface HeartbeatConfig {
  /** Velero's namespace. */
  readonly namespace: string;
  /** Each schedule and the age its newest Completed backup may have, in seconds. */
  readonly schedules: readonly { readonly name: string; readonly maxAgeSeconds: number }[];
}
