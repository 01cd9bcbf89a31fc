import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { digestFunction, noticeSenderFunction, sweepFunction, validatorFunction } from '#contracts/functions';
import { PROJECT_ROOT } from '../../lib/constructs/docdrop-function';
import { DocdropStack } from '../../lib/docdrop-stack';
import { readSettings } from '../../lib/settings';

export { PROJECT_ROOT };

const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The operator settings cdk.json ships (`docdrop:*`). */
export const contextDefaults: Record<string, unknown> = Object.fromEntries(
  Object.entries(cdkJson.context).filter(([key]) => key.startsWith('docdrop:')),
);

/**
 * cdk.json's feature flags too: they change the template (policy minimisation, log groups),
 * and the tests should see what `cdk synth` makes.
 */
const featureFlags = Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => !key.startsWith('docdrop:')));

export interface BuiltStack {
  readonly app: App;
  readonly stack: DocdropStack;
  readonly template: Template;
}

/**
 * Builds the stack as bin/docdrop.ts does, from cdk.json's context plus `overrides`, with the
 * same cdk-nag packs as aspects. No stack is listed for bundling, so NodejsFunction skips
 * esbuild: the template is complete, only the function code is not built (synth.test.ts builds it).
 */
export function buildStack(overrides: Record<string, unknown> = {}): BuiltStack {
  const app = new App({
    context: { ...featureFlags, ...contextDefaults, 'aws:cdk:bundling-stacks': [], ...overrides },
  });
  const stack = new DocdropStack(app, 'Docdrop', {
    settings: readSettings(app.node),
    description: 'docdrop: secure document intake and storage',
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true, reports: false }));
  Aspects.of(app).add(new NIST80053R5Checks({ verbose: true, reports: false }));
  return { app, stack, template: Template.fromStack(stack) };
}

let defaultBuild: BuiltStack | undefined;

/** The stack with cdk.json's defaults, synthesised once per test file. */
export function defaultStack(): BuiltStack {
  defaultBuild ??= buildStack();
  return defaultBuild;
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(resource);
}

export const VALIDATOR_PATH = 'Validation/Validator';
export const SWEEP_PATH = 'Validation/Sweep';
const SCHEDULED_AND_QUEUED: Record<string, string> = {
  'Notices/Sender': noticeSenderFunction,
  'Notices/Digests': digestFunction,
};

/**
 * Each docdrop function's logical id by the `functions/` folder it runs, found by construct
 * path: `Api/<handler>` for the API functions, `Validation/Validator` for the image validator.
 * CDK's own singletons (the bucket-notification handler) are not docdrop functions.
 */
export function functionsByHandler(stack: Stack): Map<string, string> {
  const byHandler = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CfnFunction)) continue;
    const path = construct.node.path.slice(stack.node.path.length + 1).replace(/\/Resource$/, '');
    const handler =
      path === VALIDATOR_PATH
        ? validatorFunction
        : path === SWEEP_PATH
          ? sweepFunction
          : (SCHEDULED_AND_QUEUED[path] ?? /^Api\/([^/]+)$/.exec(path)?.[1]);
    if (handler) byHandler.set(handler, stack.getLogicalId(construct));
  }
  return byHandler;
}

export interface PolicyStatementJson {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
  readonly Sid?: string;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

type Resources = Record<string, { Type: string; Properties?: any }>;

/** The role a function runs as: its `Role: { Fn::GetAtt: [role, Arn] }`. */
export function roleOf(template: Template, functionId: string): string {
  const resources = template.toJSON().Resources as Resources;
  const role = resources[functionId]?.Properties?.Role?.['Fn::GetAtt']?.[0];
  if (typeof role !== 'string') throw new Error(`function ${functionId} has no role in the template`);
  return role;
}

/** Every statement a function's role holds: its inline policies and the AWS::IAM::Policy resources attached to it. */
export function roleStatements(template: Template, functionId: string): PolicyStatementJson[] {
  const resources = template.toJSON().Resources as Resources;
  const role = roleOf(template, functionId);
  const inline = (resources[role]?.Properties?.Policies ?? []).flatMap(
    (policy: any) => policy.PolicyDocument.Statement as PolicyStatementJson[],
  );
  const attached = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) => asList(policy.Properties.Roles).some((ref: any) => ref?.Ref === role))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
  return [...inline, ...attached];
}

/**
 * A resource reference as text, naming logical ids by `names`: `{ Fn::GetAtt: [links, Arn] }`
 * is `links`, `{ Fn::Join: ['', [bucket arn, '/incoming/*']] }` is `bucket/incoming/*`.
 */
export function describeResource(resource: unknown, names: Record<string, string>): string {
  if (typeof resource === 'string') return resource;
  const value = resource as any;
  if (value?.['Fn::GetAtt']) return names[value['Fn::GetAtt'][0]] ?? `<${value['Fn::GetAtt'].join('.')}>`;
  if (value?.Ref) return names[value.Ref] ?? `<${value.Ref}>`;
  if (value?.['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => describeResource(part, names)).join(separator);
  }
  return JSON.stringify(resource);
}

function describeCondition(condition: PolicyStatementJson['Condition'], names: Record<string, string>): string {
  return Object.entries(condition ?? {})
    .flatMap(([operator, keys]) =>
      Object.entries(keys).map(
        ([key, values]) => `${operator} ${key}=${asList(values).map((value) => describeResource(value, names))}`,
      ),
    )
    .sort()
    .join(' & ');
}

/**
 * `action resource [if condition]` for each action and resource of the Allow statements, e.g.
 * `s3:ListBucket bucket if StringLike s3:prefix=incoming/*`: how CDK groups statements does not matter.
 */
export function describeGrants(statements: readonly PolicyStatementJson[], names: Record<string, string>): string[] {
  const grants = statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => {
      const condition = statement.Condition ? ` if ${describeCondition(statement.Condition, names)}` : '';
      return asList(statement.Action).flatMap((action) =>
        asList(statement.Resource).map((resource) => `${action} ${describeResource(resource, names)}${condition}`),
      );
    });
  return [...new Set(grants)].sort();
}

/** Stand-ins for CloudFormation's pseudo parameters when a test evaluates a template value. */
export const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': 'eu-west-1',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::Partition': 'aws',
  'AWS::AccountId': '123456789012',
  'AWS::StackId': 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Docdrop/5a6b7c80-c9d0-11f0-8e1f-0a1b2c3d4e5f',
};

/**
 * A template value as CloudFormation would make it, given what references resolve to: `Ref`s by
 * logical id or pseudo parameter, `Fn::GetAtt`s as `<id>.<attribute>`; `Fn::Join`, `Fn::Select`
 * and `Fn::Split` are evaluated. Anything else fails the test rather than guess.
 */
export function evaluate(value: unknown, references: Record<string, string> = {}): string {
  const known = { ...PSEUDO_PARAMETERS, ...references };
  const lookUp = (name: string) => {
    const found = known[name];
    if (found === undefined) throw new Error(`no stand-in for ${name}`);
    return found;
  };
  const list = (item: unknown): string[] => {
    const node = item as any;
    if (node?.['Fn::Split']) {
      const [separator, source] = node['Fn::Split'] as [string, unknown];
      return evaluate(source, references).split(separator);
    }
    if (Array.isArray(node)) return node.map((part) => evaluate(part, references));
    throw new Error(`not a list: ${JSON.stringify(item)}`);
  };
  if (typeof value === 'string') return value;
  const node = value as any;
  if (node?.Ref) return lookUp(node.Ref);
  if (node?.['Fn::GetAtt']) return lookUp((node['Fn::GetAtt'] as string[]).join('.'));
  if (node?.['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => evaluate(part, references)).join(separator);
  }
  if (node?.['Fn::Select']) {
    const [index, source] = node['Fn::Select'] as [number, unknown];
    const selected = list(source)[index];
    if (selected === undefined) throw new Error(`Fn::Select ${index} out of range`);
    return selected;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}
