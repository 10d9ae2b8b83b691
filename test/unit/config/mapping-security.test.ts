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

  it('matches in linear time: a backtracking pattern the save check misses ends at once, with the right answer', async () => {
    const attack = `'${'a'.repeat(30)}!'`;
    for (const pattern of ['/(a|a)+$/', '/((a+))+$/', '/(a+){8}$/']) {
      expect(parseRule({ expression: `$match(${attack}, ${pattern})` })).toEqual({
        expression: `$match(${attack}, ${pattern})`,
      });
      await expect(run(`$count($match(${attack}, ${pattern}))`)).resolves.toBe(0);
      await expect(run(`$match('aaaaaaaaaa', ${pattern}).match`)).resolves.toBe('aaaaaaaaaa');
    }
  });

  it('keeps what JSONata does with a regular expression: groups, every match, replace, split, case', async () => {
    await expect(run(`$match('ab12 cd34', /([a-z]+)([0-9]+)/).groups`)).resolves.toEqual([
      'ab',
      '12',
      'cd',
      '34',
    ]);
    await expect(run(`$match('ab12 cd34', /[0-9]+/).index`)).resolves.toEqual([2, 7]);
    await expect(run(`$replace('a-b-c', /-/, '+')`)).resolves.toBe('a+b+c');
    await expect(run(`$replace('Ann Lee', /(\\w+) (\\w+)/, '$2, $1')`)).resolves.toBe('Lee, Ann');
    await expect(run(`$split('a1b22c', /[0-9]+/)`)).resolves.toEqual(['a', 'b', 'c']);
    await expect(run(`$contains('CN=Sales,OU=Groups', /ou=groups/i)`)).resolves.toBe(true);
    await expect(run(`$contains('x', /y/)`)).resolves.toBe(false);
  });

  it('refuses at save what RE2 cannot match in linear time: look-arounds and back-references', () => {
    expect(parseRule({ expression: `$match('ab', /a(?=b)/)` })).toMatch(/not supported/);
    expect(parseRule({ expression: `$match('aa', /(a)\\1/)` })).toMatch(/not supported/);
  });
});
