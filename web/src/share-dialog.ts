import { ApiError } from './api-client';
import { announce, field, h } from './elements';
import { formDialog } from './form-dialog';
import type { OwnerApi, ShareRole } from './owner-api';

/** Shares one of the owner's files or folders with another user by e-mail, to view or to edit. */
export async function shareDialog(
  api: OwnerApi,
  target: { fileId: string } | { folderId: string },
  name: string,
): Promise<void> {
  const email = h('input', { id: 'share-email', type: 'email', required: true, autocomplete: 'off' });
  const role = h(
    'select',
    { id: 'share-role' },
    h('option', { value: 'view' }, 'Can view and download'),
    h('option', { value: 'edit' }, 'Can edit'),
  );
  await formDialog({
    title: `Share ${name}`,
    fields: [field('E-mail of the person', email), field('Access', role)],
    submitLabel: 'Share',
    submit: async () => {
      try {
        await api.share(target, email.value.trim(), role.value as ShareRole);
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) return error.message;
        throw error;
      }
      announce(`${name} is shared with ${email.value.trim()}.`);
      return undefined;
    },
  });
}
