import { refresh, type Tokens } from './cognito';
import type { AppConfig } from './config';

/**
 * The owner's tokens: in memory, and in sessionStorage so a reload keeps the session in this
 * tab only; never in localStorage, and gone when the tab closes or the owner signs out.
 */
const STORAGE_KEY = 'docdrop.session';
/** Refresh this long before the ID token expires, so a request never carries a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * What the sign-in page says when a session ends: signing out is done (`ok`); a session the
 * server ended is a warning, never shown as a success.
 */
export interface SignInNotice {
  readonly text: string;
  readonly tone: 'ok' | 'warning';
}

export const SESSION_ENDED: SignInNotice = { text: 'Your session has ended. Sign in again.', tone: 'warning' };

export class Session {
  private tokens: Tokens | undefined;
  private refreshing: Promise<Tokens> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly onEnded: (notice?: SignInNotice) => void,
  ) {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (stored) {
      try {
        this.tokens = JSON.parse(stored) as Tokens;
        this.schedule();
      } catch {
        sessionStorage.removeItem(STORAGE_KEY);
      }
    }
  }

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  /** The e-mail in the ID token, for the header. */
  get email(): string {
    if (!this.tokens) return '';
    const part = this.tokens.idToken.split('.')[1] ?? '';
    try {
      const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { email?: string };
      return claims.email ?? '';
    } catch {
      return '';
    }
  }

  start(tokens: Tokens): void {
    this.tokens = tokens;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    this.schedule();
  }

  end(notice?: SignInNotice): void {
    this.tokens = undefined;
    clearTimeout(this.timer);
    sessionStorage.removeItem(STORAGE_KEY);
    this.onEnded(notice);
  }

  /** The ID token the API's authorizer checks (audience = the web client), refreshed first if it is close to expiry. */
  async bearer(): Promise<string> {
    return (await this.fresh()).idToken;
  }

  /** The access token Cognito's own calls take (TOTP set-up, sign-out everywhere), refreshed the same way. */
  async accessToken(): Promise<string> {
    return (await this.fresh()).accessToken;
  }

  private async fresh(): Promise<Tokens> {
    if (!this.tokens) throw new Error('Sign in first.');
    if (this.tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refreshNow();
    return this.tokens as Tokens;
  }

  /** Trades the refresh token for new ID and access tokens; a refused refresh ends the session. */
  async refreshNow(): Promise<void> {
    const current = this.tokens;
    if (!current) throw new Error('Sign in first.');
    this.refreshing ??= refresh(this.config, current.refreshToken).finally(() => {
      this.refreshing = undefined;
    });
    try {
      this.start(await this.refreshing);
    } catch (error) {
      this.end(SESSION_ENDED);
      throw error;
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    // Never less than 10 s: a token that claims to expire at once must not make refreshes spin.
    const delay = Math.max(10_000, this.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS || 0);
    this.timer = setTimeout(() => void this.refreshNow().catch(() => undefined), delay);
  }
}
