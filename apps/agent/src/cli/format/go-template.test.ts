import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandEscapes, printValue, renderTemplate, TemplateError } from './go-template.js';

const info = {
  Name: 'host1',
  NCPU: 4,
  LiveRestoreEnabled: false,
  RegistryConfig: {
    Mirrors: ['https://a/', 'https://b/'],
    InsecureRegistryCIDRs: ['127.0.0.0/8'],
    Empty: [],
  },
  Runtimes: { runc: { path: '/usr/sbin/runc', version: '1.1.5' } },
  Warnings: [] as string[],
  Html: '<a&b>',
  Nothing: null,
};

describe('fields', () => {
  test('top-level and nested fields, literal text around actions', () => {
    assert.equal(
      renderTemplate('name={{.Name}} cpus={{.NCPU}} live={{.LiveRestoreEnabled}}', info),
      'name=host1 cpus=4 live=false',
    );
    assert.equal(renderTemplate('{{.Runtimes.runc.version}}', info), '1.1.5');
  });

  test('slices and maps print like Go', () => {
    assert.equal(renderTemplate('{{.RegistryConfig.Mirrors}}', info), '[https://a/ https://b/]');
    assert.equal(renderTemplate('{{.RegistryConfig.Empty}}', info), '[]');
    assert.equal(renderTemplate('{{.Runtimes}}', info), 'map[runc:map[path:/usr/sbin/runc version:1.1.5]]');
    assert.equal(renderTemplate('{{.Nothing}}', info), '<no value>');
    assert.equal(printValue([[1, 'a']]), '[[1 a]]');
  });

  test('dot and $ refer to the data', () => {
    assert.equal(renderTemplate('{{.}}', 'x'), 'x');
    assert.equal(
      renderTemplate('{{range .RegistryConfig.Mirrors}}{{$.Name}}:{{.}} {{end}}', info),
      'host1:https://a/ host1:https://b/ ',
    );
  });
});

describe('json', () => {
  test('{{json .}} and {{json .X}} encode compactly', () => {
    assert.equal(renderTemplate('{{json .RegistryConfig.Mirrors}}', info), '["https://a/","https://b/"]');
    assert.deepEqual(JSON.parse(renderTemplate('{{json .}}', info)), info);
    assert.equal(renderTemplate('{{.RegistryConfig.Mirrors | json}}', info), '["https://a/","https://b/"]');
  });

  test('escapes HTML characters like Go', () => {
    assert.equal(renderTemplate('{{json .Html}}', info), '"\\u003ca\\u0026b\\u003e"');
  });
});

describe('functions and control flow', () => {
  test('join, upper, lower, split, println', () => {
    assert.equal(renderTemplate('{{join .RegistryConfig.Mirrors ", "}}', info), 'https://a/, https://b/');
    assert.equal(renderTemplate('{{upper .Name}} {{.Name | lower}}', info), 'HOST1 host1');
    assert.equal(renderTemplate('{{split "a,b" ","}}', info), '[a b]');
    assert.equal(renderTemplate('{{println .Name .NCPU}}', info), 'host1 4\n');
  });

  test('if / else / range with else', () => {
    assert.equal(renderTemplate('{{if .LiveRestoreEnabled}}on{{else}}off{{end}}', info), 'off');
    assert.equal(renderTemplate('{{if .Warnings}}warn{{end}}', info), '');
    assert.equal(renderTemplate('{{range .Warnings}}{{.}}{{else}}none{{end}}', info), 'none');
  });

  test('trim markers remove surrounding white space', () => {
    assert.equal(renderTemplate('a  {{- .Name -}}  b', info), 'ahost1b');
  });
});

describe('escapes', () => {
  test('\\n and \\t in the format become newline and tab (Docker pre-processing)', () => {
    assert.equal(renderTemplate(expandEscapes('{{.Name}}\\t{{.NCPU}}\\n'), info), 'host1\t4\n');
  });
});

describe('errors', () => {
  test("unknown fields fail with Go's message and position", () => {
    assert.throws(
      () => renderTemplate('{{.Foo}}', info),
      new TemplateError('template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo'),
    );
    assert.throws(
      () => renderTemplate('x\nab {{ .RegistryConfig.Nope }}', info),
      new TemplateError('template: :2:6: executing "" at <.RegistryConfig.Nope>: can\'t evaluate field Nope'),
    );
    assert.throws(
      () => renderTemplate('{{.Name.Length}}', info),
      /can't evaluate field Length in type string/,
    );
  });

  test('parse errors', () => {
    assert.throws(() => renderTemplate('{{.Name', info), new TemplateError('template: :1: unclosed action'));
    assert.throws(
      () => renderTemplate('{{nope .}}', info),
      new TemplateError('template: :1: function "nope" not defined'),
    );
    assert.throws(() => renderTemplate('{{if .Name}}x', info), /unexpected EOF/);
    assert.throws(() => renderTemplate('{{end}}', info), /unexpected \{\{end\}\}/);
    assert.throws(
      () => renderTemplate('{{join .Name}}', info),
      /wrong number of args for join: want 2 got 1/,
    );
  });
});

test('index and len work on maps and lists, like Go templates', () => {
  const data = { Config: { Labels: { 'org.example.role': 'web' } }, Mounts: [{ Name: 'a' }, { Name: 'b' }] };
  assert.equal(renderTemplate('{{index .Config.Labels "org.example.role"}}', data), 'web');
  assert.equal(renderTemplate('{{len .Mounts}} {{index .Mounts 1 | json}}', data), '2 {"Name":"b"}');
  assert.throws(() => renderTemplate('{{index .Mounts 5}}', data), /index out of range/);
});
