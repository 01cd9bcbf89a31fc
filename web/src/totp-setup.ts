import { alertBox, codeInput, field, h, onSubmit } from './elements';
import { qrImage } from './qr-image';

/** The key-URI authenticator apps read (Google's Key Uri Format): account and issuer label the entry. */
export function totpUri(email: string, secret: string): string {
  const label = encodeURIComponent(`docdrop:${email}`);
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=docdrop`;
}

/**
 * Setting up an authenticator app: the QR code, the same key as text to type, and the code the
 * app then shows, which `verify` checks (Cognito's VerifySoftwareToken).
 */
export function totpSetupForm(options: {
  readonly id: string;
  readonly email: string;
  readonly secret: string;
  readonly submitLabel: string;
  readonly verify: (code: string) => Promise<void>;
}): HTMLElement {
  const alert = alertBox();
  const code = codeInput(`${options.id}-code`);
  // In groups of four, as apps that take a typed key show it; spaces are ignored there.
  const grouped = options.secret.replace(/(.{4})(?=.)/g, '$1 ');
  const form = h(
    'form',
    { class: 'totp-setup', id: options.id },
    h(
      'p',
      {},
      'Scan this with an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password):',
    ),
    qrImage(totpUri(options.email, options.secret), 'QR code for your authenticator app', 'totp-qr'),
    h('p', {}, 'Cannot scan? Type this key into the app instead: ', h('code', { class: 'totp-secret' }, grouped)),
    field('The 6-digit code the app shows', code),
    alert.element,
    h('button', { type: 'submit' }, options.submitLabel),
  );
  onSubmit(form, alert, () => options.verify(code.value.trim()));
  return form;
}
