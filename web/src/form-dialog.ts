import { alertBox, h } from './elements';

/**
 * A modal form on the native `<dialog>` (focus moves into it, stays there and returns to the
 * opener on close; Escape cancels). `submit` answers an error to show in the dialog, which
 * then stays open, or nothing when done.
 */
export function formDialog(options: {
  readonly title: string;
  readonly fields: HTMLElement[];
  readonly submitLabel: string;
  readonly submit: () => Promise<string | undefined>;
}): Promise<boolean> {
  return new Promise((resolve) => {
    const alert = alertBox();
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    const send = h('button', { type: 'submit' }, options.submitLabel);
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: titleId }, options.title),
      ...options.fields,
      alert.element,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close('cancel') }, 'Cancel'),
        send,
      ),
    );
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      alert.clear();
      send.disabled = true;
      options
        .submit()
        .then((error) => {
          if (error) alert.show(error);
          else dialog.close('done');
        })
        .catch((error: Error) => alert.show(error.message))
        .finally(() => {
          send.disabled = false;
        });
    });
    const opener = document.activeElement as HTMLElement | null;
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'done');
      dialog.remove();
      if (opener?.isConnected) opener.focus();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (form.querySelector('input, select') as HTMLElement | null)?.focus();
  });
}
