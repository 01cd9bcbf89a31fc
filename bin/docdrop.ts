import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DocdropStack } from '../lib/docdrop-stack';
import { readSettings } from '../lib/settings';

const app = new App();
// Environment-agnostic: synthesises with no AWS credentials; `cdk deploy` picks the account.
new DocdropStack(app, 'Docdrop', {
  settings: readSettings(app.node),
  description: 'docdrop: secure document intake and storage',
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true, reports: true }));
Aspects.of(app).add(new NIST80053R5Checks({ verbose: true, reports: true }));
