/** Attribute mapping against a hostile configuration writer: secrets are never mapped, $eval never runs. */
import { describe, expect, it } from 'vitest';
import { evaluateRuleExpression } from '../../../shared/config/mapping-expression';
import { parseRule } from '../../../shared/config/mapping-rules';

const run = (expression: string) =>
  evaluateRuleExpression(
    expression,
    () => ({}),
    performance.now() + 50,
    () => performance.now(),
  );

describe('attribute mapping: secrets and $eval', () => {
  it.each([
    'unixUserPassword',
    'userPKCS12',
    'msPKIAccountCredentials',
    'msPKIDPAPIMasterKeys',
    'ms-Mcs-AdmPwd',
    'msLAPS-Password',
    'msLAPS-EncryptedPassword',
    'msDS-ManagedPassword',
    'msFVE-RecoveryPassword',
  ])('refuses to map %s, as a source and in an expression', (name) => {
    expect(parseRule({ from: name })).toMatch(/secret|binary/);
    expect(parseRule({ expression: `$string(\`${name}\`)` })).toMatch(/secret|binary/);
  });

  it('refuses $eval at save: its text escapes the regular expression check', () => {
    const expression = `$eval("$match('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', /(a+)+$/)")`;
    expect(parseRule({ expression })).toMatch(/\$eval is not allowed/);
    expect(parseRule({ expression: '($e := $eval; $e("1"))' })).toMatch(/\$eval is not allowed/);
  });

  it('fails $eval at run time (a CONFIG item written past the save checks)', async () => {
    const started = performance.now();
    await expect(run(`$eval("$match('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', /(a+)+$/)")`)).rejects.toThrow(
      /\$eval is not allowed/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
