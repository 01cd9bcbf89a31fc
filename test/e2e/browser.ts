import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, with a fresh profile: no sandbox (CI runs as root) and none of
 * its background connections, which this machine's closed network refuses many at a time.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * What Chromium logs on every portal load of an owner without a picture yet: the API answers
 * 404 `no_profile_photo`, and Chromium reports any failed load, whatever the page does with it.
 */
export const NO_PROFILE_PHOTO_YET =
  /Failed to load resource: the server responded with a status of 404 .*\/api\/profile\/photo\)$/;
