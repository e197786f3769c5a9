import { describe, expect, it } from 'vitest';
import { UnsupportedError, WorkflowDefinitionError, WorkflowError } from '../../../functions/src/local/workflows/index.js';
import { errorOf, run } from './helpers.js';

describe('workflow forms and subworkflows', () => {
  it('runs main with args and subworkflows with named args and defaults', async () => {
    const yaml = `
main:
  params: [args]
  steps:
    - call_it:
        call: scale
        args:
          n: \${args.n}
        result: a
    - call_with_factor:
        call: scale
        args:
          n: \${args.n}
          factor: 10
        result: b
    - done:
        return: \${[a, b, scale(1, 3)]}
scale:
  params: [n, factor: 2]
  steps:
    - r:
        return: \${n * factor}
`;
    expect(await run(yaml, { args: { n: 4 } })).toEqual([8, 40, 3]);
  });

  it('returns null when main ends without return, and supports the steps-list form', async () => {
    expect(await run(`- a:\n    assign:\n      - x: 1\n`)).toBeNull();
  });

  it('passes values by copy into subworkflows', async () => {
    const yaml = `
main:
  steps:
    - init:
        assign:
          - m: {"k": 1}
    - c:
        call: mutate
        args:
          m: \${m}
        result: inner
    - r:
        return: \${[m.k, inner.k]}
mutate:
  params: [m]
  steps:
    - s:
        assign:
          - m.k: 2
    - r:
        return: \${m}
`;
    expect(await run(yaml)).toEqual([1, 2]);
  });

  it('raises a TypeError for a missing subworkflow argument', async () => {
    const yaml = `
main:
  steps:
    - c:
        call: sub
        result: r
sub:
  params: [needed]
  steps:
    - r:
        return: \${needed}
`;
    expect((await errorOf(run(yaml))).tags).toEqual(['TypeError']);
  });
});

describe('assign', () => {
  it('assigns nested targets, creates map keys and copies values', async () => {
    const r = await run(`
- a:
    assign:
      - m: {}
      - m.x: 1
      - m["y"]: {}
      - m.y.z: \${m.x + 1}
      - key: "dyn"
      - m[key]: true
      - l: [1, 2, 3]
      - l[0]: "first"
      - copy: \${m}
      - copy.x: 99
- r:
    return: \${[m, l, copy.x]}
`);
    expect(r).toEqual([{ x: 1, y: { z: 2 }, dyn: true }, ['first', 2, 3], 99]);
  });

  it.each([
    ['l[5]: 1', 'IndexError'],
    ['missing.k: 1', 'KeyError'],
    ['m.a.b: 1', 'KeyError'],
    ['s.k: 1', 'TypeError'],
  ])('%s raises %s', async (target, tag) => {
    const err = await errorOf(
      run(`
- init:
    assign:
      - l: [1]
      - m: {}
      - s: "str"
- bad:
    assign:
      - ${target}
`),
    );
    expect(err.tags).toEqual([tag]);
    expect(err.step).toBe('bad');
  });
});

describe('control flow', () => {
  it('follows next, jumps backwards and ends with next: end', async () => {
    const r = await run(`
- init:
    assign:
      - i: 0
      - trace: []
- inc:
    assign:
      - i: \${i + 1}
      - trace: \${list.concat(trace, i)}
- check:
    switch:
      - condition: \${i < 3}
        next: inc
    next: finish
- skipped:
    raise: "should not run"
- finish:
    return: \${trace}
`);
    expect(r).toEqual([1, 2, 3]);
  });

  it('next: end inside nested steps ends the workflow with null', async () => {
    const r = await run(`
- outer:
    steps:
      - inner:
          next: end
- never:
    return: 1
`);
    expect(r).toBeNull();
  });

  it('jumps out of nested steps to an outer step', async () => {
    const r = await run(`
- outer:
    steps:
      - inner:
          next: target
      - not_run:
          return: "wrong"
- also_not_run:
    return: "wrong"
- target:
    return: "right"
`);
    expect(r).toBe('right');
  });

  it.each([
    [5, 'big'],
    [1, 'small'],
    [0, 'zero'],
  ])('switch with embedded steps/assign/return for %i', async (n, expected) => {
    const yaml = `
main:
  params: [n]
  steps:
    - sw:
        switch:
          - condition: \${n > 3}
            steps:
              - set_big:
                  assign:
                    - out: "big"
          - condition: \${n == 0}
            return: "zero"
          - condition: true
            assign:
              - out: "small"
    - r:
        return: \${out}
`;
    expect(await run(yaml, { args: n })).toBe(expected);
  });

  it('switch condition can raise', async () => {
    const err = await errorOf(
      run(`
- sw:
    switch:
      - condition: true
        raise: {code: 7, message: "boom"}
`),
    );
    expect(err.value).toEqual({ code: 7, message: 'boom' });
  });

  it('switch condition must be boolean', async () => {
    expect((await errorOf(run(`- sw:\n    switch:\n      - condition: \${1}\n        next: end\n`))).tags).toEqual(['TypeError']);
  });
});

describe('for loops', () => {
  it.each([
    ['in: [10, 20, 30]', [[0, 10], [1, 20], [2, 30]]],
    ['range: [1, 3]', [[0, 1], [1, 2], [2, 3]]],
    ['range: ${[2, 2]}', [[0, 2]]],
    ['in: \'${keys({"a": 1, "b": 2})}\'', [[0, 'a'], [1, 'b']]],
    ['in: []', []],
  ])('%s', async (source, expected) => {
    const r = await run(`
- init:
    assign:
      - seen: []
- loop:
    for:
      value: v
      index: i
      ${source}
      steps:
        - add:
            assign:
              - seen: \${list.concat(seen, [i, v])}
- r:
    return: \${seen}
`);
    expect(r).toEqual(expected);
  });

  it('supports break and continue', async () => {
    const r = await run(`
- init:
    assign:
      - seen: []
- loop:
    for:
      value: v
      range: [1, 10]
      steps:
        - skip_even:
            switch:
              - condition: \${v % 2 == 0}
                next: continue
              - condition: \${v > 6}
                next: break
        - add:
            assign:
              - seen: \${list.concat(seen, v)}
- r:
    return: \${seen}
`);
    expect(r).toEqual([1, 3, 5]);
  });

  it('scopes loop variables and variables created in the loop; updates outer ones', async () => {
    const r = await run(`
- init:
    assign:
      - total: 0
- loop:
    for:
      value: v
      index: i
      in: [1, 2, 3]
      steps:
        - s:
            assign:
              - total: \${total + v}
              - created_inside: \${v}
- r:
    return:
      total: \${total}
`);
    expect((r as { total: number }).total).toBe(6);
    for (const name of ['v', 'i', 'created_inside']) {
      const err = await errorOf(
        run(`
- loop:
    for:
      value: v
      index: i
      in: [1]
      steps:
        - s:
            assign:
              - created_inside: 1
- r:
    return: \${${name}}
`),
      );
      expect(err.tags).toEqual(['KeyError']);
      expect(err.step).toBe('r');
    }
  });

  it('return inside a loop returns from the workflow', async () => {
    expect(
      await run(`
- loop:
    for:
      value: v
      in: [1, 2, 3]
      steps:
        - c:
            switch:
              - condition: \${v == 2}
                return: \${v * 100}
- r:
    return: 0
`),
    ).toBe(200);
  });

  it('rejects iterating a map directly', async () => {
    const err = await errorOf(run(`- loop:\n    for:\n      value: v\n      in: '\${ {\"a\": 1} }'\n      steps:\n        - s:\n            next: continue\n`));
    expect(err.tags).toEqual(['TypeError']);
    expect(err.message).toMatch(/keys/);
  });
});

describe('raise, try, except', () => {
  it.each([
    ['raise: "plain string"', 'plain string'],
    ['raise: {code: 55, message: "custom", tags: ["Mine"]}', { code: 55, message: 'custom', tags: ['Mine'] }],
  ])('%s is catchable with as', async (raiseLine, expected) => {
    const r = await run(`
- t:
    try:
      steps:
        - boom:
            ${raiseLine}
    except:
      as: e
      steps:
        - r:
            return: \${e}
`);
    expect(r).toEqual(expected);
  });

  it('exposes message and tags of runtime errors to except', async () => {
    const r = await run(`
- t:
    try:
      steps:
        - bad:
            assign:
              - x: '\${{"a": 1}.missing}'
    except:
      as: e
      steps:
        - r:
            return: \${[e.tags, e.message]}
`);
    expect((r as unknown[])[0]).toEqual(['KeyError']);
    expect((r as unknown[])[1]).toMatch(/missing/);
  });

  it('continues after the except block and keeps except variable', async () => {
    const r = await run(`
- t:
    try:
      raise: "x"
    except:
      as: e
      steps:
        - note:
            assign:
              - handled: true
- r:
    return: \${[handled, e]}
`);
    expect(r).toEqual([true, 'x']);
  });

  it('unhandled errors leave as WorkflowError with the value and step', async () => {
    const err = await errorOf(run(`- fail:\n    raise:\n      message: "nope"\n      code: 409\n`));
    expect(err).toBeInstanceOf(WorkflowError);
    expect(err.value).toEqual({ message: 'nope', code: 409 });
    expect(err.step).toBe('fail');
  });

  it('retries with exponential backoff capped by max_delay, then reaches except', async () => {
    const delays: number[] = [];
    const r = await run(
      `
main:
  steps:
    - init:
        assign:
          - attempts: 0
    - t:
        try:
          steps:
            - count:
                assign:
                  - attempts: \${attempts + 1}
            - fail:
                raise: {code: 503, message: "unavailable"}
        retry:
          predicate: \${http.default_retry_predicate}
          max_retries: 4
          backoff:
            initial_delay: 2
            max_delay: 10
            multiplier: 3
        except:
          as: e
          steps:
            - r:
                return: \${[attempts, e.code]}
`,
      { sleep: async (ms) => void delays.push(ms) },
    );
    expect(r).toEqual([5, 503]);
    expect(delays).toEqual([2000, 6000, 10000, 10000]);
  });

  it('does not retry when the predicate says no (500 with default predicate)', async () => {
    const delays: number[] = [];
    const err = await errorOf(
      run(
        `
- t:
    try:
      raise: {code: 500, message: "server"}
    retry: \${http.default_retry}
`,
        { sleep: async (ms) => void delays.push(ms) },
      ),
    );
    expect(err.value).toEqual({ code: 500, message: 'server' });
    expect(delays).toEqual([]);
  });

  it('uses http.default_retry policy (5 retries, 1s initial, x1.25) and a subworkflow predicate', async () => {
    const delays: number[] = [];
    const yaml = `
main:
  steps:
    - init:
        assign:
          - n: 0
    - t:
        try:
          steps:
            - inc:
                assign:
                  - n: \${n + 1}
            - f:
                raise: {code: 429, message: "slow down"}
        retry: \${http.default_retry}
        except:
          as: e
          steps:
            - second:
                try:
                  raise: "custom"
                retry:
                  predicate: \${only_custom}
                  max_retries: 2
                  backoff:
                    initial_delay: 1
                    max_delay: 5
                    multiplier: 2
                except:
                  as: e2
                  steps:
                    - r:
                        return: \${[n, e2]}
only_custom:
  params: [e]
  steps:
    - check:
        return: \${e == "custom"}
`;
    const r = await run(yaml, { sleep: async (ms) => void delays.push(ms) });
    expect(r).toEqual([6, 'custom']);
    expect(delays).toEqual([1000, 1250, 1562.5, 1953.125, 2441.40625, 1000, 2000]);
  });

  it('retry with a single inline call step body', async () => {
    let calls = 0;
    const r = await run(
      `
- t:
    try:
      call: googleapis.fake.v1.flaky
      args: {x: 1}
      result: out
    retry:
      predicate: \${http.default_retry_predicate}
      max_retries: 3
      backoff: {initial_delay: 1, max_delay: 2, multiplier: 2}
- r:
    return: \${out}
`,
      {
        connectors: {
          'googleapis.fake.v1.flaky': (args) => {
            calls++;
            if (calls < 3) throw new WorkflowError({ message: 'busy', code: 503, tags: ['HttpError'] });
            return { got: args.x, calls };
          },
        },
      },
    );
    expect(r).toEqual({ got: 1, calls: 3 });
  });
});

describe('parallel', () => {
  it('only shared variables are written by branches and visible after', async () => {
    const r = await run(`
- init:
    assign:
      - results: {}
      - count: 0
- p:
    parallel:
      shared: [results, count]
      branches:
        - b1:
            steps:
              - s1:
                  assign:
                    - results.one: 1
                    - local_only: "x"
                    - count: \${count + 1}
        - b2:
            steps:
              - s2:
                  assign:
                    - results.two: 2
                    - count: \${count + 1}
- r:
    return: \${[results, count, "local_only" in results]}
`);
    expect(r).toEqual([{ one: 1, two: 2 }, 2, false]);
  });

  it('branch-local variables are not visible after the parallel step', async () => {
    const err = await errorOf(
      run(`
- p:
    parallel:
      branches:
        - b1:
            steps:
              - s1:
                  assign:
                    - local_only: 1
        - b2:
            steps:
              - s2:
                  assign:
                    - other: 2
- r:
    return: \${local_only}
`),
    );
    expect(err.tags).toEqual(['KeyError']);
  });

  it('writing a non-shared parent variable in a branch is a definition error', async () => {
    await expect(
      run(`
- init:
    assign:
      - x: 0
- p:
    parallel:
      branches:
        - b1:
            steps:
              - s1:
                  assign:
                    - x: 1
        - b2:
            steps:
              - s2:
                  assign:
                    - y: 1
`),
    ).rejects.toThrow(/"x".*not listed in "shared".*s1/);
  });

  it('parallel for respects concurrency_limit (observed via a connector)', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const r = await run(
      `
- init:
    assign:
      - total: 0
- p:
    parallel:
      shared: [total]
      concurrency_limit: 3
      for:
        value: v
        range: [1, 10]
        steps:
          - work:
              call: googleapis.fake.v1.work
              args: {v: "\${v}"}
              result: out
          - add:
              assign:
                - total: \${total + out}
- r:
    return: \${total}
`,
      {
        connectors: {
          'googleapis.fake.v1.work': async (args) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((res) => setTimeout(res, 5));
            inFlight--;
            return (args.v as number) * 2;
          },
        },
      },
    );
    expect(r).toBe(110);
    expect(maxInFlight).toBe(3);
  });

  it('exception_policy continueAll runs all branches then raises UnhandledBranchError', async () => {
    const done: number[] = [];
    const err = await errorOf(
      run(
        `
- p:
    parallel:
      exception_policy: continueAll
      for:
        value: v
        in: [1, 2, 3, 4]
        steps:
          - maybe_fail:
              switch:
                - condition: \${v % 2 == 0}
                  raise: \${"failed " + string(v)}
          - ok:
              call: googleapis.fake.v1.done
              args: {v: "\${v}"}
`,
        { connectors: { 'googleapis.fake.v1.done': (a) => void done.push(a.v as number) } },
      ),
    );
    expect(err.tags).toEqual(['UnhandledBranchError']);
    expect(done.sort()).toEqual([1, 3]);
    const branches = (err.value as { branches: { id: string; error: unknown }[] }).branches;
    expect(branches.map((b) => b.error).sort()).toEqual(['failed 2', 'failed 4']);
  });

  it('without exception_policy behaves as Cloud Workflows\' default, continueAll: every iteration runs, then the step raises', async () => {
    const started: number[] = [];
    const err = await errorOf(
      run(
        `
- p:
    parallel:
      concurrency_limit: 1
      for:
        value: v
        in: [1, 2, 3]
        steps:
          - track:
              call: googleapis.fake.v1.track
              args: {v: "\${v}"}
          - fail:
              switch:
                - condition: \${v == 1}
                  raise: \${"failed " + string(v)}
`,
        { connectors: { 'googleapis.fake.v1.track': (a) => void started.push(a.v as number) } },
      ),
    );
    expect(started).toEqual([1, 2, 3]);
    expect(err.tags).toEqual(['UnhandledBranchError']);
    expect((err.value as { branches: { id: string; error: unknown }[] }).branches).toEqual([{ id: '0', error: 'failed 1' }]);
  });

  it('can be caught by an enclosing try', async () => {
    expect(
      await run(`
- t:
    try:
      steps:
        - p:
            parallel:
              branches:
                - a:
                    steps:
                      - f:
                          raise: "a failed"
                - b:
                    steps:
                      - ok:
                          assign:
                            - x: 1
    except:
      as: e
      steps:
        - r:
            return: \${[e.tags, e.branches[0].error]}
`),
    ).toEqual([['UnhandledBranchError'], 'a failed']);
  });
});

describe('limits and unsupported constructs', () => {
  it('stops infinite loops at the step limit', async () => {
    const err = await errorOf(run(`- loop:\n    next: loop\n`, { maxSteps: 50 }));
    expect(err.tags).toEqual(['ResourceLimitError']);
    expect(err.message).toMatch(/50 steps/);
  });

  it('step limit errors cannot be caught by except', async () => {
    const err = await errorOf(
      run(
        `
- t:
    try:
      steps:
        - loop:
            next: loop
    except:
      steps:
        - swallowed:
            return: "caught"
`,
        { maxSteps: 20 },
      ),
    );
    expect(err.tags).toEqual(['ResourceLimitError']);
  });

  it('limits recursion depth', async () => {
    const yaml = `
main:
  steps:
    - r:
        return: \${forever(1)}
forever:
  params: [n]
  steps:
    - r:
        return: \${forever(n + 1)}
`;
    expect((await errorOf(run(yaml))).tags).toEqual(['RecursionError']);
  });

  it.each([
    ['- s:\n    wait: 5\n', /unknown key "wait".*"s"/],
    ['- s:\n    call: no_such_fn\n', /unknown call target "no_such_fn".*"s"/],
    ['- s:\n    next: nowhere\n', /"nowhere".*"s"/],
    ['- s:\n    next: break\n', /only allowed inside a for loop.*"s"/],
    ['- s:\n    assign:\n      - x: 1\n    return: 1\n', /only have one of/],
    ['- s:\n    raise: "x"\n    next: end\n', /"next" cannot be combined/],
    ['- s:\n    for:\n      value: v\n      steps:\n        - a:\n            next: continue\n', /exactly one of "in" or "range"/],
    ['- s:\n    try:\n      raise: "x"\n', /needs "retry" and\/or "except"/],
    ['- s:\n    assign:\n      - x: 1\n- s:\n    assign:\n      - y: 1\n', /duplicate step name/],
    ['main:\n  params: [a, b]\n  steps:\n    - s:\n        return: 1\n', /at most one parameter/],
    ['other:\n  steps:\n    - s:\n        return: 1\n', /"main"/],
    ['- s:\n    parallel:\n      exception_policy: stopAll\n      branches: []\n', /exception_policy/],
  ])('definition error for %j', async (yaml, message) => {
    const p = run(yaml);
    await expect(p).rejects.toThrow(WorkflowDefinitionError);
    await expect(p).rejects.toThrow(message);
  });

  it('unknown connector fails clearly when reached, naming the step', async () => {
    const p = run(`- s:\n    call: googleapis.storage.v1.objects.get\n    args: {bucket: b, object: o}\n`);
    await expect(p).rejects.toThrow(UnsupportedError);
    await expect(p).rejects.toThrow(/googleapis\.storage\.v1\.objects\.get.*options\.connectors.*"s"/);
  });

  it('unsupported stdlib namespaces fail clearly when reached', async () => {
    const p = run(`- s:\n    call: events.await_callback\n    args: {callback: {}}\n`);
    await expect(p).rejects.toThrow(UnsupportedError);
    await expect(p).rejects.toThrow(/events\.await_callback.*"s"/);
  });

  it('connector receives plain JS args and its result comes back as a value', async () => {
    const name = 'googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run';
    const seen: unknown[] = [];
    const r = await run(
      `
- child:
    call: ${name}
    args:
      workflow_id: child
      argument: {month: "2020-10", n: 3}
    result: res
- r:
    return: \${res.rows + 1}
`,
      {
        connectors: {
          [name]: (args, ctx) => {
            seen.push(args, ctx);
            return { rows: 41 };
          },
        },
      },
    );
    expect(r).toBe(42);
    expect(seen).toEqual([{ workflow_id: 'child', argument: { month: '2020-10', n: 3 } }, { step: 'child', name }]);
  });

  it('calls onStep for every executed step', async () => {
    const names: string[] = [];
    await run(`- a:\n    assign:\n      - x: 1\n- b:\n    steps:\n      - c:\n          return: 1\n- d:\n    return: 2\n`, {
      onStep: (n) => names.push(n),
    });
    expect(names).toEqual(['a', 'b', 'c']);
  });
});

describe('runWorkflowFile', () => {
  it('reads and runs a YAML file', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runWorkflowFile } = await import('../../../functions/src/local/workflows/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'wf-'));
    try {
      const file = join(dir, 'w.yaml');
      await writeFile(file, 'main:\n  params: [args]\n  steps:\n    - r:\n        return: ${args.a * 2}\n');
      expect(await runWorkflowFile(file, { args: { a: 21 } })).toBe(42);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
