import { describe, expect, it } from 'vitest';
import { errorOf, evalExpr, run } from './helpers.js';

describe('standard library', () => {
  it.each([
    ['text.split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['text.substring("héllo", 1, 3)', 'él'],
    ['text.substring("abc", 2, 10)', 'c'],
    ['text.find_all("abcabc", "bc")', [{ index: 1, match: 'bc' }, { index: 4, match: 'bc' }]],
    ['text.find_all_regex("a1b22", "[0-9]+")', [{ index: 1, match: '1' }, { index: 3, match: '22' }]],
    ['text.replace_all("a-b-c", "-", "+")', 'a+b+c'],
    ['text.replace_all_regex("2020-10", "([0-9]+)-([0-9]+)", "\\\\2/\\\\1")', '10/2020'],
    ['text.to_upper("abC")', 'ABC'],
    ['text.to_lower("AbC")', 'abc'],
    ['text.match_regex("green_2020-10.csv", "^green_[0-9]{4}-[0-9]{2}")', true],
    ['text.match_regex("yellow", "^green")', false],
    ['text.url_encode("a b/c?d=é")', 'a%20b%2Fc%3Fd%3D%C3%A9'],
    ['text.url_encode_plus("a b")', 'a+b'],
    ['text.url_decode("a%20b+c")', 'a b c'],
    ['text.decode(text.encode("hé"))', 'hé'],
    ['base64.encode(text.encode("hi"))', 'aGk='],
    ['text.decode(base64.decode("aGk="))', 'hi'],
    ['list.concat([1, 2], 3)', [1, 2, 3]],
    ['list.prepend([1, 2], 0)', [0, 1, 2]],
    ['map.get({"a": {"b": 1}}, ["a", "b"])', 1],
    ['map.get({"a": {"b": 1}}, ["a", "x"])', null],
    ['map.get({"a": 1}, "a")', 1],
    ['map.delete({"a": 1, "b": 2}, "a")', { b: 2 }],
    ['map.merge({"a": 1, "b": 1}, {"b": 2})', { a: 1, b: 2 }],
    ['map.merge_nested({"a": {"x": 1}}, {"a": {"y": 2}})', { a: { x: 1, y: 2 } }],
    ['json.encode_to_string({"a": [1, 2.5, "x", null, true]})', '{"a":[1,2.5,"x",null,true]}'],
    ['text.decode(json.encode({"k": 1}))', '{"k":1}'],
    ['json.decode("{\\"a\\": [1, 2.5]}")', { a: [1, 2.5] }],
    ['get_type(json.decode("[1, 1.0]")[0]) + get_type(json.decode("[1, 1.0]")[1])', 'integerdouble'],
    ['json.decode(json.encode({"big": 9007199254740993})).big == 9007199254740993', true],
    ['math.abs(-3)', 3],
    ['math.abs(-2.5)', 2.5],
    ['math.floor(2.7)', 2],
    ['get_type(math.floor(2.7))', 'integer'],
    ['math.max(1, 2.5)', 2.5],
    ['math.min(3, 2)', 2],
    ['time.format(1700000000)', '2023-11-14T22:13:20Z'],
    ['time.format(1700000000.25)', '2023-11-14T22:13:20.25Z'],
    ['time.format(1700000000, "America/New_York")', '2023-11-14T17:13:20-05:00'],
    ['time.format(1688000000, "America/New_York")', '2023-06-28T20:53:20-04:00'],
    ['time.format(0, "UTC")', '1970-01-01T00:00:00+00:00'],
    ['time.parse("2023-11-14T17:13:20-05:00")', 1700000000],
    ['time.parse("2023-11-14T22:13:20.5Z")', 1700000000.5],
    ['http.default_retry_predicate({"code": 503, "tags": ["HttpError"]})', true],
    ['http.default_retry_predicate({"code": 429})', true],
    ['http.default_retry_predicate({"code": 500})', false],
    ['http.default_retry_predicate({"tags": ["ConnectionError"]})', true],
    ['http.default_retry_predicate({"tags": ["TimeoutError"]})', true],
    ['http.default_retry_predicate("x")', false],
    ['http.default_retry_predicate_non_idempotent({"code": 502})', false],
    ['http.default_retry_predicate_non_idempotent({"code": 503})', true],
    ['http.default_retry.max_retries', 5],
    ['http.default_retry.backoff', { initial_delay: 1, max_delay: 60, multiplier: 1.25 }],
  ])('%s', async (expr, expected) => {
    expect(await evalExpr(expr)).toEqual(expected);
  });

  it.each([
    ['time.parse("2023-13-01T00:00:00Z")', 'ValueError'],
    ['time.parse("yesterday")', 'ValueError'],
    ['time.format(0, "Not/AZone")', 'ValueError'],
    ['json.decode("{")', 'ValueError'],
    ['text.split(1, ",")', 'TypeError'],
    ['text.match_regex("a", "(")', 'ValueError'],
    ['list.concat("x", 1)', 'TypeError'],
    ['map.get([1], "a")', 'TypeError'],
    ['len()', 'TypeError'],
  ])('%s raises %s', async (expr, tag) => {
    expect((await errorOf(evalExpr(expr))).tags).toEqual([tag]);
  });

  it('sys.now uses the injected clock and returns seconds as a double', async () => {
    expect(await evalExpr('[sys.now(), get_type(sys.now())]', { now: () => 1_700_000_000_500 })).toEqual([1700000000.5, 'double']);
  });

  it('sys.get_env reads options.env with an optional default', async () => {
    const env = { GOOGLE_CLOUD_PROJECT_ID: 'proj' };
    expect(await evalExpr('[sys.get_env("GOOGLE_CLOUD_PROJECT_ID"), sys.get_env("NOPE"), sys.get_env("NOPE", "d")]', { env })).toEqual(['proj', null, 'd']);
  });

  it('sys.log and sys.sleep go through the hooks, with named args in call steps', async () => {
    const logs: unknown[] = [];
    const sleeps: number[] = [];
    await run(
      `
- a:
    call: sys.log
    args:
      text: "hello"
- b:
    call: sys.log
    args:
      json: {"rows": 3}
      severity: WARNING
- c:
    call: sys.sleep
    args:
      seconds: 1.5
- d:
    call: text.split
    args:
      source: "a b"
      separator: " "
    result: parts
- e:
    call: sys.log
    args:
      data: \${parts}
      severity: info
`,
      { log: (e) => logs.push(e), sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(logs).toEqual([
      { severity: 'DEFAULT', message: 'hello' },
      { severity: 'WARNING', message: { rows: 3 } },
      { severity: 'INFO', message: ['a', 'b'] },
    ]);
    expect(sleeps).toEqual([1500]);
  });

  it('rejects unknown named arguments in call steps', async () => {
    const err = await errorOf(run(`- a:\n    call: sys.log\n    args:\n      txt: "x"\n`));
    expect(err.tags).toEqual(['TypeError']);
    expect(err.message).toMatch(/unexpected argument "txt"/);
  });
});
