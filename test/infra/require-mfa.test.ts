import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack } from './support';

/**
 * `docdrop:requireMfa`: the user pool requires TOTP of every owner, or offers it. cognito-local
 * has no CloudFormation, so this is where the pool's own setting is checked; the local pool's
 * (REQUIRE_MFA) is driven in test/e2e/sign-in-paths.test.ts.
 */
describe.each([
  ['true', 'ON'],
  ['false', 'OPTIONAL'],
])('docdrop:requireMfa=%s', (requireMfa, mfaConfiguration) => {
  const built = buildStack({ 'docdrop:requireMfa': requireMfa });

  it(`makes the pool's MFA ${mfaConfiguration}, TOTP only (no SMS)`, () => {
    // act
    const pools = built.template.findResources('AWS::Cognito::UserPool');

    // assess
    const [pool] = Object.values(pools) as { Properties: Record<string, unknown> }[];
    expect(Object.keys(pools)).toHaveLength(1);
    expect(pool?.Properties.MfaConfiguration).toBe(mfaConfiguration);
    expect(pool?.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
  });

  it('passes cdk-nag (AwsSolutions and NIST 800-53 R5), suppressing COG2 only when MFA is optional', () => {
    // act
    const findings = [
      ...Annotations.fromStack(built.stack).findError('*', Match.stringLikeRegexp('^(AwsSolutions|NIST)')),
      ...Annotations.fromStack(built.stack).findWarning('*', Match.stringLikeRegexp('^(AwsSolutions|NIST)')),
    ];
    const suppressed = Object.values(built.template.findResources('AWS::Cognito::UserPool')).flatMap((pool) =>
      ((pool.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string }[]).map((rule) => rule.id),
    );

    // assess
    expect(findings.map((finding) => `${finding.id}: ${finding.entry.data}`)).toEqual([]);
    expect(suppressed.includes('AwsSolutions-COG2')).toBe(requireMfa === 'false');
  });
});
