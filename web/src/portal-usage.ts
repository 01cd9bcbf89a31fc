import { h } from './elements';
import type { Usage } from './owner-api';
import { refusalOf, type UploadPolicy } from './upload-checks';
import { describeUsage, quotaRefusalOf } from './usage-words';
import type { WatchedOwnerApi } from './watched-owner-api';

/** Several changes in a row (a batch settling, a delete) make one request. */
const REFRESH_DELAY_MS = 300;

/** The owner's storage: a `<meter>` with the same figure in words, read again whenever the API saw usage change. */
export class UsageMeter {
  readonly element: HTMLElement;
  private usage: Usage | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers can overtake each other: only the latest request's figure is shown. */
  private latest = 0;
  private readonly meter = h('meter', {
    id: 'usage-meter',
    min: 0,
    max: 1,
    value: 0,
    'aria-labelledby': 'usage-label',
    'aria-describedby': 'usage-words',
  });
  private readonly words = h('p', { id: 'usage-words', class: 'usage-words' }, 'Reading your storage...');

  constructor(private readonly api: WatchedOwnerApi) {
    this.element = h(
      'div',
      { class: 'usage' },
      h('span', { id: 'usage-label', class: 'usage-label' }, 'Storage'),
      this.meter,
      this.words,
    );
    api.onStorageChange = () => this.refreshSoon();
  }

  /** Why this batch cannot be sent; files refused for their type or size say so on their own, the rest must fit. */
  refusalOf(batch: File[], policy: UploadPolicy): string | undefined {
    return quotaRefusalOf(
      batch.filter((file) => !refusalOf(file, policy)),
      this.usage,
    );
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
    const request = ++this.latest;
    try {
      const usage = await this.api.usage();
      if (request === this.latest) this.show(usage);
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
