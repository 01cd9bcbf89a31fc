import { h } from './elements';
import { formatBytes } from './format';
import type { Usage } from './owner-api';
import type { WatchedOwnerApi } from './watched-owner-api';

/** Several changes in a row (a batch settling, a delete) make one request. */
const REFRESH_DELAY_MS = 300;

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

/** The owner's storage: a `<meter>` with the same figure in words, read again whenever the API saw usage change. */
export class UsageMeter {
  readonly element: HTMLElement;
  private usage: Usage | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly meter = h('meter', {
    id: 'usage-meter',
    min: 0,
    max: 1,
    value: 0,
    'aria-labelledby': 'usage-label',
  });
  private readonly words = h('p', { id: 'usage-words', class: 'usage-words' }, 'Reading your storage...');

  constructor(private readonly api: WatchedOwnerApi) {
    this.meter.setAttribute('aria-describedby', 'usage-words');
    this.element = h(
      'div',
      { class: 'usage' },
      h('span', { id: 'usage-label', class: 'usage-label' }, 'Storage'),
      this.meter,
      this.words,
    );
    api.onStorageChange = () => this.refreshSoon();
  }

  /** The last figure read; undefined until the first answer. */
  get current(): Usage | undefined {
    return this.usage;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.api.onStorageChange = () => {};
  }

  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    try {
      this.show(await this.api.usage());
    } catch {
      // The meter is a guide; a failed read keeps the last figure, and the next change reads again.
      if (!this.usage) this.words.textContent = 'Your storage could not be read just now.';
    }
  }

  private show(usage: Usage): void {
    this.usage = usage;
    const taken = usage.usedBytes + usage.reservedBytes;
    const text = describeUsage(usage);
    this.meter.max = Math.max(1, usage.limitBytes);
    this.meter.value = Math.min(taken, this.meter.max);
    // Colour turns at 80% and 95%: <meter> shows "high" past `high` when `optimum` is low.
    this.meter.low = usage.limitBytes * 0.8;
    this.meter.high = usage.limitBytes * 0.95;
    this.meter.optimum = 0;
    this.meter.setAttribute('aria-valuetext', text);
    this.words.textContent = text;
  }
}
