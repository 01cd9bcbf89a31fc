/**
 * Building DOM without HTML strings: text always goes in as text, so nothing a user, a file
 * name or the API says can become markup. Attributes are set one by one; no `style`
 * attribute (the Content-Security-Policy would block it) and no inline handlers.
 */
type Child = Node | string | false | null | undefined;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let liveTimer: ReturnType<typeof setTimeout> | undefined;
let pending: string[] = [];

/** Says a status change to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const live = document.getElementById('live');
  if (!live) return;
  // Messages close together are said together, so none replaces another before it is read;
  // clearing first makes the same sentence twice in a row be read twice.
  pending.push(message);
  live.textContent = '';
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    live.textContent = pending.join(' ');
    pending = [];
  }, 50);
}

/** An error line that screen readers read at once, empty (and silent) when there is none. */
export function alertBox(): { element: HTMLElement; show(message: string): void; clear(): void } {
  const element = h('p', { class: 'alert', role: 'alert', hidden: true });
  return {
    element,
    show(message) {
      element.textContent = message;
      element.hidden = false;
    },
    clear() {
      element.textContent = '';
      element.hidden = true;
    },
  };
}

/** Moves focus to a heading or region after the view changes, so keyboard and screen-reader users follow. */
export function focusOn(element: HTMLElement): void {
  if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
  element.focus();
}

/** A modal yes/no question on the native `<dialog>`, which traps focus and closes on Escape. */
export function confirmDialog(question: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'confirm-question' },
      h('p', { id: 'confirm-question' }, question),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'secondary', autofocus: true, onclick: () => dialog.close('cancel') },
          'Cancel',
        ),
        h('button', { type: 'button', class: 'danger', onclick: () => dialog.close('confirm') }, confirmLabel),
      ),
    );
    const opener = document.activeElement as HTMLElement | null;
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
      opener?.focus();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/** Gives each cell its column's name, which narrow screens show beside the value (rows become cards). */
export function labelCells(row: HTMLTableRowElement, labels: readonly string[]): HTMLTableRowElement {
  [...row.cells].forEach((cell, index) => {
    const label = labels[index];
    if (label) cell.dataset.label = label;
  });
  return row;
}

/** A labelled form field, with an optional hint the control is described by. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const hintId = hint ? `${input.id}-hint` : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: input.id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    input,
  );
}

/** Opens a signed GET with `Content-Disposition: attachment`: the browser saves it and stays on this page. */
export function saveFromSignedUrl(url: string): void {
  const anchor = h('a', { href: url, rel: 'noopener', class: 'visually-hidden' });
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}

/**
 * A row action such as "Download": its visible word, and an accessible name that says which
 * thing it acts on (`Download report.pdf`). `focusKey` lets a re-render put focus back on it.
 */
export function actionButton(
  word: string,
  thing: string,
  onclick: () => void,
  options: { readonly danger?: boolean; readonly focusKey?: string } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: options.danger ? 'danger' : 'secondary',
      'aria-label': `${word} ${thing}`,
      ...(options.focusKey ? { 'data-focus-key': options.focusKey } : {}),
      onclick,
    },
    word,
  );
}

/** Runs a form's submit with its button disabled meanwhile, and shows a refusal's message in `alert`. */
export function onSubmit(form: HTMLFormElement, alert: ReturnType<typeof alertBox>, run: () => Promise<void>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.clear();
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      alert.show((error as Error).message);
    } finally {
      button.disabled = false;
    }
  });
}

/** A field for a code sent or shown to the owner: digits on a phone's keyboard, offered by the OS from a message. */
export function codeInput(id: string, pattern = '[0-9]{6}'): HTMLInputElement {
  return h('input', { id, inputmode: 'numeric', autocomplete: 'one-time-code', required: true, pattern });
}
