import type { NoticePreference, OwnerSettings, PdfActiveContentPolicy } from '#contracts/api/account';
import { alertBox, announce, h, replaceChildren } from './elements';
import type { WatchedOwnerApi } from './watched-owner-api';

const NOTICE_CHOICES: readonly { value: NoticePreference; words: string; hint: string }[] = [
  {
    value: 'each',
    words: 'An e-mail for each file',
    hint: 'Sent to your verified address once the file has been checked.',
  },
  {
    value: 'daily',
    words: 'One e-mail a day',
    hint: 'A digest of each day’s arrivals (UTC), sent the next morning at 07:00 UTC.',
  },
  { value: 'off', words: 'No e-mail', hint: 'Arrivals still show in Activity.' },
];

const PDF_CHOICES: readonly { value: PdfActiveContentPolicy; words: string; hint: string }[] = [
  {
    value: 'allow',
    words: 'Accept them, flagged',
    hint: 'The file list and the notice say what the PDF carries.',
  },
  { value: 'refuse', words: 'Refuse them', hint: 'The client is told why and can send a plain PDF instead.' },
];

/**
 * The owner's settings: how they hear of arrivals, what a PDF with active content does (a link
 * can choose its own), and the account's security, which `security` builds (sign-in paths).
 */
export class SettingsView {
  readonly element: HTMLElement;
  private readonly alert = alertBox();
  private readonly preferences = h('div', { class: 'settings-preferences' }, h('p', { class: 'hint' }, 'Loading...'));

  constructor(
    private readonly api: WatchedOwnerApi,
    security: HTMLElement,
  ) {
    this.element = h('div', { class: 'settings' }, this.alert.element, this.preferences, security);
  }

  async reload(): Promise<void> {
    this.alert.clear();
    try {
      this.render(await this.api.settings());
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }

  private render(settings: OwnerSettings): void {
    replaceChildren(
      this.preferences,
      this.choiceGroup('notices', 'E-mail when a client sends a file', NOTICE_CHOICES, settings.notices),
      this.choiceGroup(
        'pdfActiveContent',
        'PDFs with active content (scripts, actions, embedded files)',
        PDF_CHOICES,
        settings.pdfActiveContent,
      ),
    );
  }

  /** One setting as radio buttons, saved as soon as one is chosen (and put back if saving fails). */
  private choiceGroup<K extends keyof OwnerSettings>(
    name: K,
    legend: string,
    choices: readonly { value: OwnerSettings[K]; words: string; hint: string }[],
    current: OwnerSettings[K],
  ): HTMLElement {
    let saved = current;
    const radios = choices.map((choice) =>
      h('input', {
        type: 'radio',
        name,
        id: `setting-${name}-${choice.value}`,
        value: choice.value,
        checked: choice.value === current,
        'aria-describedby': `setting-${name}-${choice.value}-hint`,
      }),
    );
    const group = h(
      'fieldset',
      { class: 'choices', id: `setting-${name}` },
      h('legend', {}, legend),
      ...choices.map((choice, index) =>
        h(
          'div',
          { class: 'choice' },
          h(
            'label',
            { class: 'check', for: `setting-${name}-${choice.value}` },
            radios[index] as HTMLInputElement,
            ` ${choice.words}`,
          ),
          h('p', { class: 'hint', id: `setting-${name}-${choice.value}-hint` }, choice.hint),
        ),
      ),
    );
    group.addEventListener('change', async (event) => {
      const value = (event.target as HTMLInputElement).value as OwnerSettings[K];
      this.alert.clear();
      try {
        const settings = await this.api.updateSettings({ [name]: value } as Partial<OwnerSettings>);
        saved = settings[name];
        announce('Saved.');
      } catch (error) {
        this.alert.show((error as Error).message);
        for (const radio of radios) radio.checked = radio.value === saved;
      }
    });
    return group;
  }
}
