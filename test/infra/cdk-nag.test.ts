import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { defaultStack } from './support';

const PACKS = [
  ['AWS Solutions', 'AwsSolutions-'],
  ['NIST 800-53 rev 5', 'NIST.800.53.R5-'],
] as const;

const rulesOf = (pack: string) => Match.stringLikeRegexp(`^${pack.replace(/\./g, '\\.')}`);

interface Suppression {
  readonly id: string;
  readonly reason?: string;
}

describe('cdk-nag', () => {
  it.each(PACKS)('finds no %s error in the stack', (_name, pack) => {
    // prepare
    const { stack } = defaultStack();

    // act
    const errors = Annotations.fromStack(stack).findError('*', rulesOf(pack));

    // assess
    expect(errors.map((error) => `${error.id}: ${error.entry.data}`)).toEqual([]);
  });

  it.each(PACKS)('finds no %s warning in the stack', (_name, pack) => {
    // prepare
    const { stack } = defaultStack();

    // act
    const warnings = Annotations.fromStack(stack).findWarning('*', rulesOf(pack));

    // assess
    expect(warnings.map((warning) => `${warning.id}: ${warning.entry.data}`)).toEqual([]);
  });

  it('gives every suppressed rule a reason a reviewer can judge', () => {
    // prepare
    const { template } = defaultStack();
    const json = template.toJSON();

    // act
    const suppressions = [
      ...((json.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Suppression[]).map((rule) => ({ at: 'stack', rule })),
      ...Object.entries(json.Resources as Record<string, { Metadata?: any }>).flatMap(([at, resource]) =>
        ((resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Suppression[]).map((rule) => ({ at, rule })),
      ),
    ];

    // assess
    expect(suppressions.length).toBeGreaterThan(0);
    const unexplained = suppressions.filter(({ rule }) => (rule.reason?.trim().length ?? 0) < 20);
    expect(unexplained).toEqual([]);
  });
});
