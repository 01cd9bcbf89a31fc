import { formatBytes } from './format';

/** `GET /api/usage` (functions/domain/quotas/usage-report.ts getUsage). */
export interface Usage {
  readonly usedBytes: number;
  readonly reservedBytes: number;
  readonly limitBytes: number;
  readonly availableBytes: number;
}

/** "312 MB of 1.0 GB used": released files and uploads still under way both take room. */
export function describeUsage(usage: Usage): string {
  const taken = usage.usedBytes + usage.reservedBytes;
  const reserved = usage.reservedBytes > 0 ? ` (${formatBytes(usage.reservedBytes)} of it by uploads under way)` : '';
  return `${formatBytes(taken)} of ${formatBytes(usage.limitBytes)} used${reserved}; ${formatBytes(usage.availableBytes)} left.`;
}

/**
 * Why these files cannot all be stored, said before any byte is sent; undefined when they fit
 * (or when the usage is not known yet). The server still decides: this figure may be a moment old.
 */
export function quotaRefusalOf(files: readonly File[], usage: Usage | undefined): string | undefined {
  if (!usage) return undefined;
  const needed = files.reduce((sum, file) => sum + file.size, 0);
  if (needed <= usage.availableBytes) return undefined;
  const left = `${formatBytes(usage.availableBytes)} of your storage is left`;
  const advice = 'Delete files you no longer need, or send fewer.';
  const [only] = files;
  return files.length === 1 && only
    ? `${only.name} (${formatBytes(only.size)}) does not fit: ${left}. ${advice}`
    : `These ${files.length} files need ${formatBytes(needed)} together, but ${left}. ${advice}`;
}
