import { limits } from '#contracts/limits';
import { loadConfig } from './config';
import { alertBox, announce, focusOn, h, replaceChildren } from './elements';
import { ActivityView } from './portal-activity';
import { showSignIn } from './portal-auth';
import { FilesView } from './portal-files';
import { FolderNavigator } from './portal-folders';
import { LinksView } from './portal-links';
import { SecuritySection } from './portal-security';
import { SettingsView } from './portal-settings';
import { SharedWithMeView } from './portal-shared';
import { UsageMeter } from './portal-usage';
import { profilePhoto } from './profile-photo';
import { Session } from './session';
import { unfinishedUploads } from './unfinished-uploads';
import { uploadPanel } from './upload-panel';
import { WatchedOwnerApi } from './watched-owner-api';

const main = document.getElementById('main') as HTMLElement;

type Tab = 'files' | 'links' | 'activity' | 'shared' | 'settings';
const TAB_TITLES: Record<Tab, string> = {
  files: 'Files',
  links: 'Upload links',
  activity: 'Activity',
  shared: 'Shared with me',
  settings: 'Settings',
};

async function start(): Promise<void> {
  const config = await loadConfig();
  // The owner's limits when no link narrows them: the operator's maximum, from config.json.
  const ownerPolicy = { maxBytes: config.maxFileBytes, allowedTypes: limits.ownerAllowedTypes };
  let stopPortal: () => void = () => {};
  const session: Session = new Session(config, (notice) => {
    stopPortal();
    showSignIn(main, config, signedIn, notice);
  });
  const signedIn = (tokens: Parameters<Session['start']>[0]) => {
    session.start(tokens);
    showPortal();
    announce('Signed in.');
  };

  const showPortal = () => {
    const api = new WatchedOwnerApi(config, session);
    const files = new FilesView(api);
    const folders = new FolderNavigator(api, (folderId) => void files.openFolder(folderId));
    files.moveTargets = () => folders.destinations();
    const shared = new SharedWithMeView(api);
    const usage = new UsageMeter(api);
    const activity = new ActivityView(api, () => session.bearer());
    const security = new SecuritySection(config, session);
    const settings = new SettingsView(api, security.element);
    stopPortal = () => {
      files.stop();
      usage.stop();
    };
    const links = new LinksView(
      api,
      (map) => files.setLinks(map),
      (linkId) => {
        select('files');
        // Files may have arrived since the list was loaded: read it again, then narrow it.
        void files.reload().then(() => files.filterBy(linkId));
        focusOn(panels.files.heading);
      },
      config.maxFileBytes,
    );
    const upload = uploadPanel({
      id: 'owner-upload',
      policy: () => ownerPolicy,
      checkBatch: (batch) => usage.refusalOf(batch, ownerPolicy),
      steps: {
        // Into the folder the Files view shows.
        presign: (request) =>
          api.presign(files.currentFolder === 'root' ? request : { ...request, folderId: files.currentFolder }),
        confirm: (uploadId) => api.confirm(uploadId),
        abandon: (uploadId) => api.abandon(uploadId),
        parts: {
          signParts: (uploadId, parts) => api.signParts(uploadId, parts),
          listParts: (uploadId) => api.listParts(uploadId),
          complete: (uploadId) => api.complete(uploadId),
          // Per owner: another owner signing in on this browser is not offered these.
          unfinished: unfinishedUploads(`owner:${session.email}`),
        },
      },
      onSent: ({ outcome }, item) => files.track(outcome.uploadId, item, outcome.status === 'pending'),
    });
    const section = (id: Tab, title: string, ...content: HTMLElement[]) => {
      const heading = h('h2', { id: `${id}-heading` }, title);
      return {
        heading,
        element: h('section', { id: `${id}-panel`, 'aria-labelledby': `${id}-heading` }, heading, ...content),
      };
    };
    const panels = {
      files: section(
        'files',
        'Files',
        h('h3', {}, 'Upload'),
        upload.element,
        h('h3', {}, 'Your files'),
        folders.element,
        files.element,
      ),
      links: section('links', 'Upload links', links.element),
      activity: section('activity', 'Activity', activity.element),
      shared: section('shared', 'Shared with me', shared.element),
      settings: section('settings', 'Settings', settings.element),
    };
    const tabs = {
      files: h('button', { type: 'button', onclick: () => select('files') }, 'Files'),
      links: h('button', { type: 'button', onclick: () => select('links') }, 'Upload links'),
      activity: h('button', { type: 'button', onclick: () => select('activity') }, 'Activity'),
      shared: h('button', { type: 'button', onclick: () => select('shared') }, 'Shared with me'),
      settings: h('button', { type: 'button', onclick: () => select('settings') }, 'Settings'),
    };
    const select = (tab: Tab) => {
      for (const name of Object.keys(panels) as Tab[]) {
        panels[name].element.hidden = name !== tab;
        if (name === tab) tabs[name].setAttribute('aria-current', 'page');
        else tabs[name].removeAttribute('aria-current');
      }
      document.title = `${TAB_TITLES[tab]} - docdrop`;
      if (tab === 'activity') void activity.reload();
      if (tab === 'shared') void shared.reload();
      if (tab === 'settings') {
        void settings.reload();
        void security.reload();
      }
    };
    const header = h(
      'header',
      { class: 'top' },
      h('h1', { class: 'brand' }, 'docdrop'),
      h('nav', { 'aria-label': 'Main' }, tabs.files, tabs.links, tabs.activity, tabs.shared, tabs.settings),
      h(
        'div',
        { class: 'account' },
        profilePhoto(api),
        h('span', { class: 'hint account-email' }, session.email),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary sign-out',
            onclick: () => session.end({ text: 'You are signed out.', tone: 'ok' }),
          },
          'Sign out',
        ),
      ),
    );
    replaceChildren(
      main,
      header,
      panels.files.element,
      panels.links.element,
      panels.activity.element,
      panels.shared.element,
      panels.settings.element,
    );
    panels.files.heading.after(usage.element);
    select('files');
    focusOn(panels.files.heading);
    void files.reload();
    void folders.reload();
    void links.reload();
    void usage.refresh();
  };

  if (session.signedIn) showPortal();
  else showSignIn(main, config, signedIn);
}

start().catch((error: Error) => {
  const alert = alertBox();
  alert.show(error.message);
  replaceChildren(main, h('h1', {}, 'docdrop could not start'), alert.element);
});
