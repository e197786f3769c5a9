import { describe, expect, it } from 'vitest';
import { WorkflowDefinitionError } from '../../../functions/src/local/workflows/index.js';
import { expressionBody } from '../../../functions/src/local/workflows/expressions.js';
import { errorOf, evalExpr, run } from './helpers.js';

describe('expression values', () => {
  it.each([
    ['1 + 2', 3],
    ['7 / 2', 3.5],
    ['7 // 2', 3],
    ['-7 // 2', -4],
    ['7 % 3', 1],
    ['2 * 3 + 4', 10],
    ['2 * (3 + 4)', 14],
    ['-(3)', -3],
    ['"a" + "b"', 'ab'],
    ['"tab\\tq\\"x\\u0041"', 'tab\tq"xA'],
    ['1 == 1.0', true],
    ['1 != 2', true],
    ['"a" < "b"', true],
    ['3 >= 3', true],
    ['true and not false', true],
    ['false or true', true],
    ['not 1 == 2', true],
    ['2 in [1, 2, 3]', true],
    ['"k" in {"k": 1}', true],
    ['"z" in {"k": 1}', false],
    ['[1, [2, 3]][1][0]', 2],
    ['{"a": {"b": 5}}.a.b', 5],
    ['{"a": {"b": 5}}["a"]["b"]', 5],
    ['null', null],
    ['[1, "x", null, true]', [1, 'x', null, true]],
    ['{"k": 1 + 1}', { k: 2 }],
    ['len("héllo")', 5],
    ['len([1, 2])', 2],
    ['len({"a": 1})', 1],
    ['keys({"a": 1, "b": 2})', ['a', 'b']],
    ['int("42") + int(2.9)', 44],
    ['double("1.5")', 1.5],
    ['string(12) + string(true)', '12true'],
    ['default(null, "d")', 'd'],
    ['default(1, "d")', 1],
  ])('%s', async (expr, expected) => {
    expect(await evalExpr(expr)).toEqual(expected);
  });

  it.each([
    ['1', 'integer'],
    ['1.0', 'double'],
    ['4 / 2', 'double'],
    ['5 // 2', 'integer'],
    ['1 + 1.0', 'double'],
    ['2 * 3', 'integer'],
    ['"s"', 'string'],
    ['[1]', 'list'],
    ['{"a": 1}', 'map'],
    ['null', 'null'],
    ['true', 'boolean'],
    ['int(2.5)', 'integer'],
  ])('get_type(%s) is %s', async (expr, type) => {
    expect(await evalExpr(`get_type(${expr})`)).toBe(type);
  });

  it('keeps int vs double from YAML literals', async () => {
    const r = await run(`
- a:
    assign:
      - i: 2
      - d: 2.0
- r:
    return: \${[get_type(i), get_type(d), string(i / 2)]}
`);
    expect(r).toEqual(['integer', 'double', '1']);
  });

  it('short-circuits and/or', async () => {
    // The right operand would raise KeyError if evaluated.
    expect(await evalExpr('false and missing_var')).toBe(false);
    expect(await evalExpr('true or missing_var')).toBe(true);
  });
});

describe('expression errors carry Workflows tags', () => {
  it.each([
    ['"a" + 1', 'TypeError'],
    ['1 < "a"', 'TypeError'],
    ['1 and true', 'TypeError'],
    ['undefined_var', 'KeyError'],
    ['{"a": 1}.b', 'KeyError'],
    ['{"a": 1}["b"]', 'KeyError'],
    ['[1, 2][2]', 'IndexError'],
    ['[1, 2][-1]', 'IndexError'],
    ['1 / 0', 'ZeroDivisionError'],
    ['1 // 0', 'ZeroDivisionError'],
    ['5 % 0', 'ZeroDivisionError'],
    ['int("x")', 'ValueError'],
    ['len(1)', 'TypeError'],
    ['keys([1])', 'TypeError'],
    ['9223372036854775807 + 1', 'ValueError'],
  ])('%s raises %s', async (expr, tag) => {
    const err = await errorOf(evalExpr(expr));
    expect(err.tags).toEqual([tag]);
    expect(typeof (err.value as { message: unknown }).message).toBe('string');
    expect(err.step).toBe('r');
  });

  it('reports syntax errors before running, naming the step', async () => {
    const p = run(`
- ok:
    assign:
      - x: 1
- bad:
    return: \${1 +}
`);
    await expect(p).rejects.toThrow(WorkflowDefinitionError);
    await expect(p).rejects.toThrow(/bad/);
  });
});

describe('string interpolation', () => {
  it('evaluates only whole-value expressions, mixed text stays literal', async () => {
    const r = await run(`
- a:
    assign:
      - name: "x"
      - whole: \${name}
      - mixed: "hello \${name}"
      - two: "\${name}\${name}"
- r:
    return: \${[whole, mixed, two]}
`);
    expect(r).toEqual(['x', 'hello ${name}', '${name}${name}']);
  });

  it.each([
    ['${a}', 'a'],
    ['${ {"k": "}"}.k }', ' {"k": "}"}.k '],
    ['${a} ${b}', undefined],
    ['x${a}', undefined],
    ['${a', undefined],
  ])('expressionBody(%j)', (s, body) => {
    expect(expressionBody(s)).toBe(body);
  });
});
