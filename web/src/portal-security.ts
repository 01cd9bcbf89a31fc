import { userPoolDefinition } from '#contracts/auth';
import { associateTotp, globalSignOut, setTotpPreference, totpEnabled, verifyTotp } from './cognito';
import type { AppConfig } from './config';
import { alertBox, announce, h, replaceChildren } from './elements';
import type { Session } from './session';
import { totpSetupForm } from './totp-setup';

/**
 * How long another device stays signed in after "sign out everywhere": Cognito revokes the
 * refresh tokens, but an ID token already issued is accepted by the API until it expires.
 */
export const OTHER_DEVICES_MINUTES = userPoolDefinition.client.idTokenMinutes;

/**
 * The Settings tab's account security: two-step sign-in with an authenticator app (set up,
 * or turned off unless the pool requires it), and signing out on every device.
 */
export class SecuritySection {
  readonly element: HTMLElement;
  private readonly alert = alertBox();
  private readonly totp = h('div', { class: 'security-totp' }, h('p', { class: 'hint' }, 'Loading...'));

  constructor(
    private readonly config: AppConfig,
    private readonly session: Session,
  ) {
    this.element = h(
      'section',
      { class: 'settings-security', 'aria-labelledby': 'security-heading' },
      h('h3', { id: 'security-heading' }, 'Sign-in security'),
      this.alert.element,
      h('h4', {}, 'Two-step sign-in'),
      this.totp,
      h('h4', {}, 'Sign out everywhere'),
      h(
        'p',
        { class: 'hint', id: 'sign-out-everywhere-hint' },
        `Ends your sessions on every device and browser, this one too. Other devices are signed out within ${OTHER_DEVICES_MINUTES} minutes: what they already hold stays valid until then.`,
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-describedby': 'sign-out-everywhere-hint',
          onclick: () => void this.signOutEverywhere(),
        },
        'Sign out everywhere',
      ),
    );
  }

  async reload(): Promise<void> {
    this.alert.clear();
    try {
      this.render(await totpEnabled(this.config, await this.session.accessToken()));
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }

  private render(enabled: boolean): void {
    if (enabled) {
      replaceChildren(
        this.totp,
        h('p', { class: 'security-status' }, 'On: every sign-in asks for the code from your authenticator app.'),
        this.config.requireMfa
          ? h(
              'p',
              { class: 'hint' },
              'Your organisation requires two-step sign-in for every account, so it cannot be turned off.',
            )
          : h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => void this.turnOff() },
              'Turn off two-step sign-in',
            ),
      );
      return;
    }
    replaceChildren(
      this.totp,
      h('p', { class: 'security-status' }, 'Off: signing in takes your password only.'),
      h('button', { type: 'button', onclick: () => void this.setUp() }, 'Set up an authenticator app'),
    );
  }

  private async setUp(): Promise<void> {
    this.alert.clear();
    try {
      const accessToken = await this.session.accessToken();
      const { secret } = await associateTotp(this.config, { accessToken });
      const form = totpSetupForm({
        id: 'totp-setup',
        email: this.session.email,
        secret,
        submitLabel: 'Verify and turn on',
        verify: async (code) => {
          const token = await this.session.accessToken();
          await verifyTotp(this.config, { accessToken: token }, code);
          await setTotpPreference(this.config, token, true);
          announce('Two-step sign-in is on.');
          this.render(true);
        },
      });
      replaceChildren(
        this.totp,
        form,
        h('button', { type: 'button', class: 'link', onclick: () => void this.reload() }, 'Cancel'),
      );
      form.querySelector('input')?.focus();
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }

  private async turnOff(): Promise<void> {
    this.alert.clear();
    try {
      await setTotpPreference(this.config, await this.session.accessToken(), false);
      announce('Two-step sign-in is off.');
      this.render(false);
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }

  private async signOutEverywhere(): Promise<void> {
    this.alert.clear();
    try {
      await globalSignOut(this.config, await this.session.accessToken());
      this.session.end({
        text: `You are signed out on every device. Other devices are signed out within ${OTHER_DEVICES_MINUTES} minutes.`,
        tone: 'ok',
      });
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }
}
