/**
 * docdrop's own CloudWatch metrics (embedded metric format): named once here, emitted by the
 * functions (functions/commons/metrics.ts) and drawn by the dashboard (lib/constructs/monitoring.ts),
 * so a renamed metric cannot leave an empty graph behind.
 */
export const metricsNamespace = 'docdrop';

/**
 * The `service` dimension every docdrop metric carries: one value for all functions, so a graph
 * names one metric, not one per function (the functions' own metrics tell them apart).
 */
export const metricsService = 'docdrop';

export type MetricUnitName = 'Count' | 'Milliseconds';

export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnitName;
  /** What the operator reads in it. */
  readonly description: string;
  /**
   * The one dimension, beyond `service`, that this metric is broken down by. Its values are
   * codes the code defines (a bounded set): never an id, a name, a token or a URL.
   */
  readonly breakdown?: 'reason' | 'code';
}

export const docdropMetrics = {
  uploadsSigned: {
    name: 'UploadsSigned',
    unit: 'Count',
    description: 'Upload URLs handed out (owner, link and profile photo uploads)',
  },
  linkUses: { name: 'LinkUses', unit: 'Count', description: 'Uploads signed for a client through an upload link' },
  uploadsReleased: { name: 'UploadsReleased', unit: 'Count', description: 'Uploads the validator passed' },
  uploadsRejected: {
    name: 'UploadsRejected',
    unit: 'Count',
    description: 'Uploads the validator refused, by reason',
    breakdown: 'reason',
  },
  requestsRefused: {
    name: 'RequestsRefused',
    unit: 'Count',
    description: 'API requests refused with a typed error (4xx), by error code',
    breakdown: 'code',
  },
  quotaRefusals: { name: 'QuotaRefusals', unit: 'Count', description: 'Uploads refused over the owner’s quota' },
  validationDuration: {
    name: 'ValidationDuration',
    unit: 'Milliseconds',
    description: 'Time the validator took over one upload',
  },
} as const satisfies Record<string, MetricDefinition>;

export type DocdropMetric = keyof typeof docdropMetrics;

/** The error code of a refused request that counts as a quota refusal. */
export const QUOTA_REFUSAL_CODE = 'quota_exceeded';
