/**
 * The regular expressions of mapping expressions, matched in linear time: RE2 (the `re2js` package) in place of
 * JavaScript's backtracking RegExp, given to JSONata as its `RegexEngine`. A match is one step JSONata cannot
 * interrupt, so the budget's hooks cannot stop a backtracking pattern (`/(a|a)+$/` on thirty `a`s and a `!`
 * takes minutes); RE2 takes time in proportion to the input whatever the pattern. Patterns RE2 does not have
 * (look-arounds, back-references) are refused when the rule is saved (`linearRegexProblem`).
 */
import { RE2JS } from 're2js';

function compile(source: RegExp): RE2JS {
  let flags = 0;
  if (source.flags.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (source.flags.includes('m')) flags |= RE2JS.MULTILINE;
  if (source.flags.includes('s')) flags |= RE2JS.DOTALL;
  return RE2JS.compile(RE2JS.translateRegExp(source.source), flags);
}

/** What JSONata asks of its RegexEngine: `lastIndex` and `exec`, as a global RegExp has them. */
export class LinearRegex {
  lastIndex = 0;
  private readonly pattern: RE2JS;

  constructor(source: RegExp) {
    this.pattern = compile(source);
  }

  exec(text: string): RegExpExecArray | null {
    const matcher = this.pattern.matcher(text);
    if (this.lastIndex > text.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= matcher.groupCount(); i += 1) groups.push(matcher.group(i) ?? undefined);
    this.lastIndex = matcher.end();
    return Object.assign(groups, { index: matcher.start(), input: text }) as unknown as RegExpExecArray;
  }
}

/** Why RE2 cannot run this pattern (a look-around, a back-reference), or undefined when it can. */
export function linearRegexProblem(source: RegExp): string | undefined {
  try {
    compile(source);
    return undefined;
  } catch (error) {
    return `the regular expression /${source.source}/ is not supported (${(error as Error).message}); mapping expressions match without look-arounds or back-references`;
  }
}
