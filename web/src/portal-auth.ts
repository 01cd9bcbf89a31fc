import { confirmSignUp, resendCode, SignInError, signIn, signUp, type Tokens } from './cognito';
import type { AppConfig } from './config';
import { alertBox, announce, field, focusOn, h, replaceChildren } from './elements';
import type { SignInNotice } from './session';

/** Disables the form's button while a request runs, and shows its refusal in plain words. */
function handleSubmit(form: HTMLFormElement, alert: ReturnType<typeof alertBox>, run: () => Promise<void>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.clear();
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      alert.show(error instanceof SignInError ? error.message : (error as Error).message);
    } finally {
      button.disabled = false;
    }
  });
}

/** Sign in, sign up and the confirmation-code step, each a small form; `onSignedIn` gets the tokens. */
export function showSignIn(
  main: HTMLElement,
  config: AppConfig,
  onSignedIn: (tokens: Tokens) => void,
  notice?: SignInNotice,
): void {
  const alert = alertBox();
  const email = h('input', {
    id: 'signin-email',
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    id: 'signin-password',
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'signin-heading' },
    field('E-mail', email),
    field('Password', password),
    alert.element,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  handleSubmit(form, alert, async () => {
    try {
      onSignedIn(await signIn(config, email.value.trim(), password.value));
    } catch (error) {
      if (error instanceof SignInError && error.code === 'UserNotConfirmedException') {
        showConfirm(main, config, email.value.trim(), onSignedIn, password.value);
        return;
      }
      throw error;
    }
  });
  const heading = h('h1', { id: 'signin-heading' }, 'Sign in to docdrop');
  replaceChildren(
    main,
    heading,
    notice ? h('p', { class: `notice notice-${notice.tone}`, role: 'status' }, notice.text) : null,
    form,
    h(
      'p',
      {},
      'No account yet? ',
      h('button', { type: 'button', class: 'link', onclick: () => showSignUp(main, config, onSignedIn) }, 'Create one'),
    ),
  );
  document.title = 'Sign in - docdrop';
  focusOn(heading);
}

function showSignUp(main: HTMLElement, config: AppConfig, onSignedIn: (tokens: Tokens) => void): void {
  const alert = alertBox();
  const email = h('input', { id: 'signup-email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'signup-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: 12,
  });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'signup-heading' },
    field('E-mail', email),
    field('Password', password, 'At least 12 characters, with upper and lower case letters, a number and a symbol.'),
    alert.element,
    h('button', { type: 'submit' }, 'Create account'),
  );
  handleSubmit(form, alert, async () => {
    const { confirmed } = await signUp(config, email.value.trim(), password.value);
    if (confirmed) onSignedIn(await signIn(config, email.value.trim(), password.value));
    else showConfirm(main, config, email.value.trim(), onSignedIn, password.value);
  });
  const heading = h('h1', { id: 'signup-heading' }, 'Create your docdrop account');
  replaceChildren(
    main,
    heading,
    form,
    h(
      'p',
      {},
      'Already have an account? ',
      h('button', { type: 'button', class: 'link', onclick: () => showSignIn(main, config, onSignedIn) }, 'Sign in'),
    ),
  );
  document.title = 'Create account - docdrop';
  focusOn(heading);
}

function showConfirm(
  main: HTMLElement,
  config: AppConfig,
  emailAddress: string,
  onSignedIn: (tokens: Tokens) => void,
  password: string,
): void {
  const alert = alertBox();
  const code = h('input', {
    id: 'confirm-code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    required: true,
    pattern: '[0-9A-Za-z]{4,10}',
  });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'confirm-heading' },
    field(
      'Confirmation code',
      code,
      `We sent a code to ${emailAddress}. Running docdrop locally? npm start prints it.`,
    ),
    alert.element,
    h('button', { type: 'submit' }, 'Confirm'),
  );
  handleSubmit(form, alert, async () => {
    await confirmSignUp(config, emailAddress, code.value.trim());
    announce('Your account is confirmed.');
    if (password) onSignedIn(await signIn(config, emailAddress, password));
    else showSignIn(main, config, onSignedIn, { text: 'Your account is confirmed. Sign in.', tone: 'ok' });
  });
  const resend = h(
    'button',
    {
      type: 'button',
      class: 'link',
      onclick: async () => {
        alert.clear();
        try {
          await resendCode(config, emailAddress);
          announce('A new code is on its way.');
        } catch (error) {
          alert.show((error as Error).message);
        }
      },
    },
    'Send a new code',
  );
  const heading = h('h1', { id: 'confirm-heading' }, 'Confirm your e-mail');
  replaceChildren(main, heading, form, h('p', {}, 'No code? ', resend));
  document.title = 'Confirm e-mail - docdrop';
  focusOn(heading);
}
