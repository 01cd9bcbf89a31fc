import { IMAGE_TYPES, limits } from '#contracts/limits';
import { ApiError } from './api-client';
import { announce, h } from './elements';
import { acceptAttribute } from './format';
import type { OwnerApi } from './owner-api';
import { refusalOf } from './upload-checks';
import { followUntilDecided, sendFile, type UploadOutcome } from './upload-flow';

const PHOTO_POLICY = { maxBytes: limits.profilePhotoMaxBytes, allowedTypes: IMAGE_TYPES };

/**
 * The owner's picture in the header, and a button to change it: the same upload path, then
 * confirm is asked again (it is idempotent and order-free) until the validator has decided.
 */
export function profilePhoto(api: OwnerApi): HTMLElement {
  const image = h('img', { class: 'avatar', alt: 'Your picture', width: 40, height: 40, hidden: true });
  const input = h('input', {
    type: 'file',
    id: 'profile-photo-input',
    class: 'visually-hidden',
    accept: acceptAttribute(IMAGE_TYPES),
  });
  const status = h('span', { class: 'hint', role: 'status' });

  const show = async () => {
    try {
      image.src = (await api.profilePhoto()).url;
      image.hidden = false;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'no_profile_photo'))
        status.textContent = (error as Error).message;
    }
  };

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const refusal = refusalOf(file, PHOTO_POLICY);
    if (refusal) {
      status.textContent = refusal;
      return;
    }
    status.textContent = 'Sending your picture...';
    try {
      const steps = { presign: api.presignProfilePhoto.bind(api), confirm: api.confirm.bind(api) };
      const { outcome: sent } = await sendFile(
        file,
        steps,
        () => undefined,
        () => undefined,
      );
      const outcome = await followUntilDecided(steps.confirm, sent, 30_000);
      reportOutcome(outcome);
      if (outcome.status === 'clean') await show();
    } catch (error) {
      status.textContent = (error as Error).message;
    }
  });

  const reportOutcome = (outcome: UploadOutcome) => {
    const message =
      outcome.status === 'clean'
        ? 'Your picture was updated.'
        : outcome.status === 'rejected'
          ? `Your picture was not accepted: ${outcome.reason ?? 'it did not pass the checks'}.`
          : 'Your picture is still being checked; it will appear later.';
    status.textContent = message;
    announce(message);
  };

  void show();
  return h(
    'div',
    { class: 'profile' },
    image,
    h('label', { for: 'profile-photo-input', class: 'button secondary' }, 'Change picture'),
    input,
    status,
  );
}
