import { userPoolDefinition } from '#contracts/auth';
import {
  answerTotp,
  associateTotp,
  type Challenge,
  confirmForgotPassword,
  confirmSignUp,
  finishTotpSetup,
  forgotPassword,
  PASSWORD_RULE,
  resendCode,
  SignInError,
  type SignInStep,
  setNewPassword,
  signIn,
  signUp,
  type Tokens,
  verifyTotp,
} from './cognito';
import type { AppConfig } from './config';
import {
  alertBox,
  announce,
  codeInput,
  field,
  focusOn,
  h,
  onSubmit as handleSubmit,
  replaceChildren,
} from './elements';
import type { SignInNotice } from './session';
import { totpSetupForm } from './totp-setup';

type SignedIn = (tokens: Tokens) => void;

/** What Cognito e-mails: a sign-up confirmation or a password reset code. */
const EMAILED_CODE = '[0-9A-Za-z]{4,10}';

/** Where a sign-in goes next: into the portal, or to the step Cognito asks for. */
function follow(main: HTMLElement, config: AppConfig, step: SignInStep, onSignedIn: SignedIn): void {
  if ('tokens' in step) {
    onSignedIn(step.tokens);
    return;
  }
  const { challenge } = step;
  if (challenge.name === 'NEW_PASSWORD_REQUIRED') showNewPassword(main, config, challenge, onSignedIn);
  else if (challenge.name === 'SOFTWARE_TOKEN_MFA') showTotpCode(main, config, challenge, onSignedIn);
  else void showTotpSetup(main, config, challenge, onSignedIn);
}

/** A step of its own: heading, content, and the page title; focus moves to the heading. */
function screen(main: HTMLElement, id: string, title: string, ...content: (HTMLElement | null)[]): void {
  const heading = h('h1', { id: `${id}-heading` }, title);
  replaceChildren(main, heading, ...content);
  document.title = `${title} - docdrop`;
  focusOn(heading);
}

const backToSignIn = (main: HTMLElement, config: AppConfig, onSignedIn: SignedIn, words = 'Back to sign in') =>
  h(
    'p',
    {},
    h('button', { type: 'button', class: 'link', onclick: () => showSignIn(main, config, onSignedIn) }, words),
  );

/** A refused step whose session is gone (too slow, or used): back to the start, saying why. */
function unlessExpired(main: HTMLElement, config: AppConfig, onSignedIn: SignedIn, error: unknown): void {
  if (error instanceof SignInError && error.code === 'NotAuthorizedException') {
    showSignIn(main, config, onSignedIn, { text: error.message, tone: 'warning' });
    return;
  }
  throw error;
}

function newPasswordInput(id: string): HTMLInputElement {
  const { minimumLength } = userPoolDefinition.passwordPolicy;
  return h('input', { id, type: 'password', autocomplete: 'new-password', required: true, minlength: minimumLength });
}

/** NEW_PASSWORD_REQUIRED: the temporary password an operator's invitation carried is replaced. */
function showNewPassword(main: HTMLElement, config: AppConfig, challenge: Challenge, onSignedIn: SignedIn): void {
  const alert = alertBox();
  const password = newPasswordInput('new-password');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'new-password-heading' },
    h('p', {}, `You signed in with a temporary password. Choose your own for ${challenge.email}.`),
    field('New password', password, PASSWORD_RULE),
    alert.element,
    h('button', { type: 'submit' }, 'Set password and sign in'),
  );
  handleSubmit(form, alert, async () => {
    try {
      const step = await setNewPassword(config, challenge, password.value);
      announce('Your new password is set.');
      follow(main, config, step, onSignedIn);
    } catch (error) {
      unlessExpired(main, config, onSignedIn, error);
    }
  });
  screen(main, 'new-password', 'Choose a new password', form, backToSignIn(main, config, onSignedIn));
}

/** SOFTWARE_TOKEN_MFA: the code the owner's authenticator app shows. */
function showTotpCode(main: HTMLElement, config: AppConfig, challenge: Challenge, onSignedIn: SignedIn): void {
  const alert = alertBox();
  const code = codeInput('totp-code');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'totp-heading' },
    field('The 6-digit code your authenticator app shows', code),
    alert.element,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  handleSubmit(form, alert, async () => {
    try {
      follow(main, config, await answerTotp(config, challenge, code.value.trim()), onSignedIn);
    } catch (error) {
      code.select();
      unlessExpired(main, config, onSignedIn, error);
    }
  });
  screen(main, 'totp', 'Enter your sign-in code', form, backToSignIn(main, config, onSignedIn));
}

/** MFA_SETUP: the pool requires TOTP and this owner has none yet; set-up happens inside the sign-in. */
async function showTotpSetup(
  main: HTMLElement,
  config: AppConfig,
  challenge: Challenge,
  onSignedIn: SignedIn,
): Promise<void> {
  let association: { secret: string; session?: string };
  try {
    association = await associateTotp(config, { session: challenge.session });
  } catch (error) {
    showSignIn(main, config, onSignedIn, { text: (error as Error).message, tone: 'warning' });
    return;
  }
  let session = association.session ?? challenge.session;
  const form = totpSetupForm({
    id: 'mfa-setup',
    email: challenge.email,
    secret: association.secret,
    submitLabel: 'Verify and sign in',
    verify: async (code) => {
      try {
        session = (await verifyTotp(config, { session }, code)).session ?? session;
        announce('Your authenticator app is set up.');
        follow(main, config, await finishTotpSetup(config, { ...challenge, session }), onSignedIn);
      } catch (error) {
        unlessExpired(main, config, onSignedIn, error);
      }
    },
  });
  screen(
    main,
    'mfa-setup',
    'Set up two-step sign-in',
    h('p', {}, 'Every docdrop account here signs in with a password and a code from an authenticator app.'),
    h('div', { class: 'card narrow' }, form),
    backToSignIn(main, config, onSignedIn),
  );
}

/** Forgot password, step 1: the address. The answer is the same whether or not it has an account. */
function showForgotPassword(main: HTMLElement, config: AppConfig, onSignedIn: SignedIn, typed: string): void {
  const alert = alertBox();
  const email = h('input', {
    id: 'forgot-email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    value: typed,
  });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'forgot-heading' },
    field('E-mail', email),
    alert.element,
    h('button', { type: 'submit' }, 'Send a reset code'),
  );
  handleSubmit(form, alert, async () => {
    await forgotPassword(config, email.value.trim());
    showResetPassword(main, config, onSignedIn, email.value.trim());
  });
  screen(main, 'forgot', 'Reset your password', form, backToSignIn(main, config, onSignedIn));
}

/** Forgot password, step 2: the e-mailed code and a new password, then signed in with it. */
function showResetPassword(main: HTMLElement, config: AppConfig, onSignedIn: SignedIn, emailAddress: string): void {
  const alert = alertBox();
  const code = codeInput('reset-code', EMAILED_CODE);
  const password = newPasswordInput('reset-password');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'reset-heading' },
    field(
      'Reset code',
      code,
      `If ${emailAddress} has a docdrop account, a code is on its way there. Running docdrop locally? npm start prints it.`,
    ),
    field('New password', password, PASSWORD_RULE),
    alert.element,
    h('button', { type: 'submit' }, 'Set password and sign in'),
  );
  handleSubmit(form, alert, async () => {
    await confirmForgotPassword(config, emailAddress, code.value.trim(), password.value);
    announce('Your new password is set.');
    follow(main, config, await signIn(config, emailAddress, password.value), onSignedIn);
  });
  screen(main, 'reset', 'Choose a new password', form, backToSignIn(main, config, onSignedIn));
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
      follow(main, config, await signIn(config, email.value.trim(), password.value), onSignedIn);
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
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => showForgotPassword(main, config, onSignedIn, email.value.trim()),
        },
        'Forgot your password?',
      ),
    ),
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
  const password = newPasswordInput('signup-password');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'signup-heading' },
    field('E-mail', email),
    field('Password', password, PASSWORD_RULE),
    alert.element,
    h('button', { type: 'submit' }, 'Create account'),
  );
  handleSubmit(form, alert, async () => {
    const { confirmed } = await signUp(config, email.value.trim(), password.value);
    if (confirmed) follow(main, config, await signIn(config, email.value.trim(), password.value), onSignedIn);
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
  const code = codeInput('confirm-code', EMAILED_CODE);
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
    if (password) follow(main, config, await signIn(config, emailAddress, password), onSignedIn);
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
