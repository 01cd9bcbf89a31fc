/**
 * An integrator's page, as small as it gets: Uppy's own core and S3 plugin sending the files
 * picked in `#files` to docdrop through the upload link in the page's `#fragment`, or as the
 * owner without one (`?api=<docdrop origin>` says where docdrop is); `#pause` and `#resume` hold and resume
 * uploads (a multipart one resumes from the parts docdrop lists), `#cancel` stops them (a
 * multipart one is aborted). Each file's outcome is written into `#outcomes` as a JSON line: what
 * test/e2e/uppy.test.ts reads.
 */
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import { docdropS3Options } from './uppy-adapter';

const apiBase = new URLSearchParams(location.search).get('api') ?? location.origin;
const linkToken = decodeURIComponent(location.hash.slice(1));
const input = document.querySelector<HTMLInputElement>('#files');
const outcomes = document.querySelector<HTMLElement>('#outcomes');

// No link in the fragment: the owner, with the ID token the app's own sign-in keeps (here, in sessionStorage).
const idToken = () => sessionStorage.getItem('docdrop-id-token') ?? '';
const auth = linkToken ? { linkToken } : { idToken };
const uppy = new Uppy({ autoProceed: false }).use(AwsS3, docdropS3Options({ apiBase, auth }));

const report = (outcome: Record<string, unknown>) => {
  const line = document.createElement('li');
  line.textContent = JSON.stringify(outcome);
  outcomes?.append(line);
};

uppy.on('upload-success', (file, response) => {
  report({ name: file?.name, ok: true, receipt: response.body });
});
uppy.on('upload-error', (file, error) => {
  report({ name: file?.name, ok: false, message: error.message });
});

document.querySelector('#pause')?.addEventListener('click', () => uppy.pauseAll());
document.querySelector('#resume')?.addEventListener('click', () => uppy.resumeAll());
document.querySelector('#cancel')?.addEventListener('click', () => uppy.cancelAll());

input?.addEventListener('change', async () => {
  for (const file of input.files ?? []) uppy.addFile({ name: file.name, type: file.type, data: file });
  input.value = '';
  await uppy.upload();
});
