import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { handlerTarget, isNodeBuiltin, type FunctionStart } from './function-handler.js';

const zip = (runtime: string | undefined, handler: string | undefined): FunctionStart => ({
  packageType: 'Zip',
  runtime,
  handler,
});
const target = (runtime: string | undefined, handler: string | undefined) =>
  handlerTarget(zip(runtime, handler));
const kind = (runtime: string, handler: string) => target(runtime, handler).kind;

describe('handlerTarget: Node.js', () => {
  it('a module of the function directory is its own code, however its root is written', () => {
    expect(target('nodejs22.x', 'index.handler')).toEqual({
      kind: 'own',
      loads:
        "/var/task/index (.js, .mjs, .cjs) from the function's directory, else the module index by name",
    });
    expect(target('nodejs20.x', 'src/api/app.main.handler').loads).toMatch(
      /^\/var\/task\/src\/api\/app /
    );
    expect(kind('nodejs20.x', '/var/task/app.handler')).toBe('own');
    expect(kind('nodejs20.x', '/var/task/lib/app.handler')).toBe('own');
  });

  it('an absolute root outside /var/task loads that file, a layer data file as well', () => {
    expect(target('nodejs22.x', '/opt/share/doc/x.handler')).toEqual({
      kind: 'outside',
      loads:
        "/opt/share/doc/x (as is, .js, .mjs or .cjs), outside the function's directory /var/task",
    });
    // Datadog's documented Handler: a package's file, still outside the function's code.
    expect(kind('nodejs20.x', '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler')).toBe(
      'outside'
    );
    expect(target('nodejs20.x', '//opt//x.handler').loads).toMatch(/^\/opt\/x /);
    // A sibling whose name starts with the task root's is outside it.
    expect(kind('nodejs20.x', '/var/taskx/a.handler')).toBe('outside');
    expect(kind('nodejs20.x', '/var/task2.handler')).toBe('outside');
  });

  it("the root ends before the last segment's first occurrence, as the runtime splits it", () => {
    // The runtime loads /opt/a here (checked with its UserFunction.js), not /opt/a.h/a.
    expect(target('nodejs20.x', '/opt/a.h/a.h').loads).toMatch(/^\/opt\/a \(/);
    expect(target('nodejs20.x', 'x.h/lib/x.h').loads).toMatch(/^\/var\/task\/x \(/);
  });

  it('a built-in module is outside whatever the root: the event becomes a command or code', () => {
    for (const h of [
      'child_process.execSync',
      'node:child_process.execSync',
      'vm.runInThisContext',
      '/var/task/child_process.execSync',
      'src/vm.runInThisContext',
    ]) {
      const t = target('nodejs20.x', h);
      expect(t.kind, h).toBe('outside');
      expect(t.loads, h).toContain('built-in module');
    }
  });

  it('`..` is judged by where it leads; a Handler with no `.` loads nothing', () => {
    const up = target('nodejs20.x', '/var/task/../opt/x.handler');
    expect(up.kind).toBe('outside');
    expect(up.loads).toContain('/opt/x');
    expect(up.loads).toContain('refuse');
    expect(kind('nodejs20.x', 'a/../b.handler')).toBe('own');
    expect(kind('nodejs20.x', 'index')).toBe('refused');
    expect(kind('nodejs20.x', '/opt/x')).toBe('refused');
  });

  it("every built-in of this Node (no '/' in the name) is one", () => {
    for (const m of builtinModules.filter((n) => !n.includes('/')))
      expect(isNodeBuiltin(m), m).toBe(true);
    expect(isNodeBuiltin('node:test')).toBe(true);
    expect(isNodeBuiltin('index')).toBe(false);
    expect(isNodeBuiltin('constructor')).toBe(false);
  });
});

describe('handlerTarget: Python', () => {
  it('imports a module by name through sys.path, a / read as a .', () => {
    expect(target('python3.12', 'app.handler').kind).toBe('own');
    expect(target('python3.12', 'src/app.handler').loads).toContain('the module src.app by name');
    expect(kind('python3.12', 'datadog_lambda.handler.handler')).toBe('own');
  });

  it('a standard library module is outside: cProfile.run executes the event', () => {
    const t = target('python3.12', 'cProfile.run');
    expect(t.kind).toBe('outside');
    expect(t.loads).toContain('standard library module cProfile');
    expect(kind('python3.13', 'pdb.run')).toBe('outside');
    expect(kind('python3.13', 'json/tool.main')).toBe('outside');
  });

  it('a path is a relative name Python refuses; no `.` loads nothing', () => {
    expect(kind('python3.12', '/opt/share/doc/x.handler')).toBe('refused');
    expect(kind('python3.12', 'handler')).toBe('refused');
  });
});

describe('handlerTarget: Ruby', () => {
  it('requires an absolute or home-relative file as such', () => {
    expect(target('ruby3.3', '/opt/share/doc/x.handler')).toEqual({
      kind: 'outside',
      loads: "/opt/share/doc/x(.rb, .so), outside the function's directory /var/task",
    });
    expect(target('ruby3.3', '//opt/x.Klass.handler').loads).toMatch(/^\/opt\/x\(/);
    expect(kind('ruby3.3', '~/y.handler')).toBe('outside');
    expect(kind('ruby3.3', '~root/y.handler')).toBe('outside');
    expect(kind('ruby3.3', '/var/task/lib/app.handler')).toBe('own');
  });

  it('a relative file is searched from the function directory; other forms are refused', () => {
    expect(kind('ruby3.3', 'function.handler')).toBe('own');
    expect(kind('ruby3.3', 'lib/function.Handler.process')).toBe('own');
    expect(kind('ruby3.3', 'a.b.c.d')).toBe('refused');
    expect(kind('ruby3.3', 'handler')).toBe('refused');
  });
});

describe('handlerTarget: other runtimes', () => {
  it('an image has no Handler; a custom runtime hands it to its bootstrap', () => {
    expect(
      handlerTarget({ packageType: 'Image', runtime: undefined, handler: undefined }).kind
    ).toBe('image');
    expect(kind('provided.al2023', '/opt/share/doc/x.handler')).toBe('bootstrap');
    expect(kind('provided', 'bootstrap')).toBe('bootstrap');
  });

  it('Java and .NET name classes and assemblies, loaded by name', () => {
    expect(kind('java21', 'com.example.Handler::handleRequest')).toBe('own');
    expect(kind('java17', 'com.example.Handler')).toBe('own');
    expect(kind('dotnet8', 'App::App.Function::Handler')).toBe('own');
  });

  it('a Java platform class is outside: System::load loads the library the event names', () => {
    const t = target('java21', 'java.lang.System::load');
    expect(t.kind).toBe('outside');
    expect(t.loads).toBe(
      'the Java platform class java.lang.System: Lambda calls its load with the event'
    );
    expect(kind('java17', 'javax.naming.InitialContext::doLookup')).toBe('outside');
    expect(kind('java17', 'jdk.jshell.JShell::create')).toBe('outside');
    // The class is what precedes the last `::`, as the runtime splits it.
    expect(target('java21', 'java.lang.System::x::load').loads).toContain('java.lang.System::x');
    expect(kind('java21', 'javalang.Handler::run')).toBe('own');
  });

  it('a runtime lamina does not know, or a zip function without Runtime or Handler, is unknown', () => {
    expect(kind('go1.x', 'main')).toBe('unknown');
    expect(target(undefined, 'index.handler').kind).toBe('unknown');
    expect(target('nodejs20.x', undefined).kind).toBe('unknown');
    expect(target('python3.12', '').kind).toBe('unknown');
  });
});
