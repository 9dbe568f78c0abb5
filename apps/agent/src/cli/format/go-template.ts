/**
 * The subset of Go's text/template that Docker's `--format` users rely on: `{{.Field}}`, nested
 * `{{.A.B}}`, `$`, pipelines (`{{.X | json}}`), `if`/`else`/`range`/`end`, string and number
 * literals, and Docker's functions (json, join, split, upper, lower, title, println, truncate, pad,
 * index, len).
 * Output and error messages follow Go's so scripts written for Docker behave the same.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Operand =
  | { kind: 'field'; fromRoot: boolean; chain: string[]; text: string; pos: number }
  | { kind: 'literal'; value: unknown; text: string; pos: number }
  | { kind: 'func'; name: string; text: string; pos: number };
type Pipeline = Operand[][];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; pipe: Pipeline }
  | { kind: 'if' | 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] };

interface Action {
  /** `|`-separated commands. */
  pipe: Pipeline;
  keyword: string | null;
  pos: number;
}

type FunctionTable = Record<string, { arity: number | 'any'; fn: (...args: unknown[]) => unknown }>;

const FUNCTIONS: FunctionTable = {
  json: { arity: 1, fn: (v) => toJson(v) },
  join: { arity: 2, fn: (list, sep) => asList(list).map(printValue).join(String(sep)) },
  split: { arity: 2, fn: (s, sep) => String(s).split(String(sep)) },
  upper: { arity: 1, fn: (s) => printValue(s).toUpperCase() },
  lower: { arity: 1, fn: (s) => printValue(s).toLowerCase() },
  title: { arity: 1, fn: (s) => printValue(s).replace(/\b\w/g, (c) => c.toUpperCase()) },
  println: { arity: 'any', fn: (...args) => `${args.map(printValue).join(' ')}\n` },
  truncate: { arity: 2, fn: (s, n) => printValue(s).slice(0, Number(n)) },
  pad: { arity: 3, fn: (s, l, r) => `${' '.repeat(Number(l))}${printValue(s)}${' '.repeat(Number(r))}` },
  // Go's `index`: a map entry by key or a list element by position (`{{index .Config.Labels "k"}}`).
  index: { arity: 2, fn: (collection, key) => indexInto(collection, key) },
  len: {
    arity: 1,
    fn: (v) =>
      Array.isArray(v) || typeof v === 'string'
        ? v.length
        : v && typeof v === 'object'
          ? Object.keys(v).length
          : 0,
  },
};

/**
 * Docker's header functions: a table's header row is the template run on the header names, where
 * the string functions leave a name as it is (`{{json .Labels}}` heads its column `LABELS`).
 */
const HEADER_FUNCTIONS: FunctionTable = {
  ...FUNCTIONS,
  ...Object.fromEntries(
    ['json', 'join', 'split', 'upper', 'lower', 'title', 'truncate', 'pad'].map((name) => [
      name,
      { arity: (FUNCTIONS[name] as FunctionTable[string]).arity, fn: (value: unknown) => printValue(value) },
    ]),
  ),
};

function indexInto(collection: unknown, key: unknown): unknown {
  if (Array.isArray(collection)) {
    const position = Number(key);
    if (!Number.isInteger(position) || position < 0 || position >= collection.length) {
      throw new TemplateError(`error calling index: index out of range: ${String(key)}`);
    }
    return collection[position];
  }
  if (collection && typeof collection === 'object')
    return (collection as Record<string, unknown>)[String(key)];
  return undefined;
}
const KEYWORDS = new Set(['if', 'range', 'else', 'end']);
const UNSUPPORTED = new Set(['with', 'define', 'template', 'block', 'break', 'continue']);

/** Docker's pre-processing: the two-character sequences `\t` and `\n` become tab and newline. */
export function expandEscapes(format: string): string {
  return format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

export function renderTemplate(source: string, data: unknown, options: { header?: boolean } = {}): string {
  const nodes = parse(source);
  return execute({ source, functions: options.header ? HEADER_FUNCTIONS : FUNCTIONS }, nodes, data, data);
}

/** What every step of one rendering needs: the template's text (for messages) and its functions. */
interface Run {
  source: string;
  functions: FunctionTable;
}

function parse(source: string): Node[] {
  const items: (string | Action)[] = [];
  let offset = 0;
  while (offset < source.length) {
    const open = source.indexOf('{{', offset);
    if (open === -1) {
      items.push(source.slice(offset));
      break;
    }
    const close = source.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError(`template: :${lineOf(source, open)}: unclosed action`);
    let text = source.slice(offset, open);
    let start = open + 2;
    let end = close;
    // Go's trim markers need a space between the dash and the action: `{{- ` and ` -}}`.
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.trimEnd();
      start += 1;
    }
    const trimAfter = end - 2 >= start && /\s-$/.test(source.slice(end - 2, end));
    if (trimAfter) end -= 1;
    if (text) items.push(text);
    const action = lexAction(source, start, end);
    if (action) items.push(action);
    offset = close + 2;
    if (trimAfter) while (offset < source.length && /\s/.test(source[offset] as string)) offset++;
  }
  const [nodes, rest, stop] = build(source, items, 0);
  if (stop) throw new TemplateError(`template: :${lineOf(source, stop.pos)}: unexpected {{${stop.keyword}}}`);
  if (rest !== items.length) throw new TemplateError('template: :1: unexpected end');
  return nodes;
}

/** Builds nodes until `{{else}}`/`{{end}}` (returned so the caller can match it) or the end. */
function build(source: string, items: (string | Action)[], from: number): [Node[], number, Action | null] {
  const nodes: Node[] = [];
  let i = from;
  while (i < items.length) {
    const item = items[i++] as string | Action;
    if (typeof item === 'string') {
      nodes.push({ kind: 'text', text: item });
      continue;
    }
    if (item.keyword === 'else' || item.keyword === 'end') return [nodes, i, item];
    if (item.keyword === 'if' || item.keyword === 'range') {
      if (item.pipe.length === 0 || item.pipe[0]?.length === 0) {
        throw new TemplateError(`template: :${lineOf(source, item.pos)}: missing value for ${item.keyword}`);
      }
      const [body, afterBody, stop] = build(source, items, i);
      let otherwise: Node[] = [];
      let next = afterBody;
      let final = stop;
      if (stop?.keyword === 'else') {
        [otherwise, next, final] = build(source, items, afterBody);
      }
      if (final?.keyword !== 'end') {
        throw new TemplateError(`template: :${lineOf(source, item.pos)}: unexpected EOF`);
      }
      nodes.push({ kind: item.keyword, pipe: item.pipe, body, otherwise });
      i = next;
      continue;
    }
    nodes.push({ kind: 'output', pipe: item.pipe });
  }
  return [nodes, i, null];
}

const TOKEN =
  /\s+|\||"(?:[^"\\]|\\.)*"|`[^`]*`|-?\d+(?:\.\d+)?|\$?(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\$|\.|[A-Za-z_][A-Za-z0-9_]*|\/\*[\s\S]*?\*\/|./gy;

function lexAction(source: string, start: number, end: number): Action | null {
  const commands: Operand[][] = [[]];
  let keyword: string | null = null;
  TOKEN.lastIndex = start;
  while (TOKEN.lastIndex < end) {
    const pos = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) break;
    const text = match[0].slice(0, Math.max(0, end - pos));
    if (/^\s+$/.test(text) || text.startsWith('/*')) continue;
    const current = commands[commands.length - 1] as Operand[];
    if (text === '|') {
      commands.push([]);
    } else if (text.startsWith('"')) {
      current.push({ kind: 'literal', value: JSON.parse(text), text, pos });
    } else if (text.startsWith('`')) {
      current.push({ kind: 'literal', value: text.slice(1, -1), text, pos });
    } else if (/^-?\d/.test(text)) {
      current.push({ kind: 'literal', value: Number(text), text, pos });
    } else if (text === '.' || text.startsWith('.') || text.startsWith('$')) {
      const fromRoot = text.startsWith('$');
      const chain = text.replace(/^\$/, '').split('.').filter(Boolean);
      current.push({ kind: 'field', fromRoot, chain, text, pos });
    } else if (/^[A-Za-z_]/.test(text)) {
      if (text === 'true' || text === 'false') {
        current.push({ kind: 'literal', value: text === 'true', text, pos });
      } else if (KEYWORDS.has(text) && commands.length === 1 && current.length === 0 && keyword === null) {
        keyword = text;
      } else if (UNSUPPORTED.has(text)) {
        throw new TemplateError(
          `template: :${lineOf(source, pos)}: "${text}" is not supported by stevedore's --format`,
        );
      } else if (!FUNCTIONS[text]) {
        throw new TemplateError(`template: :${lineOf(source, pos)}: function "${text}" not defined`);
      } else {
        current.push({ kind: 'func', name: text, text, pos });
      }
    } else {
      throw new TemplateError(`template: :${lineOf(source, pos)}: unexpected "${text}" in command`);
    }
  }
  const pipe = commands.filter((c) => c.length > 0);
  if (pipe.length !== commands.length && commands.length > 1) {
    throw new TemplateError(`template: :${lineOf(source, start)}: missing command in pipeline`);
  }
  if (keyword === null && pipe.length === 0) {
    // `{{/* comment */}}` renders nothing; an empty `{{}}` is an error in Go.
    if (/\/\*/.test(source.slice(start, end))) return null;
    throw new TemplateError(`template: :${lineOf(source, start)}: missing value for command`);
  }
  return { pipe, keyword, pos: start };
}

function execute(run: Run, nodes: Node[], dot: unknown, root: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'output') out += printValue(evalPipeline(run, node.pipe, dot, root));
    else if (node.kind === 'if') {
      const value = evalPipeline(run, node.pipe, dot, root);
      out += execute(run, truthy(value) ? node.body : node.otherwise, dot, root);
    } else {
      const value = evalPipeline(run, node.pipe, dot, root);
      const elements = rangeElements(value);
      if (elements.length === 0) out += execute(run, node.otherwise, dot, root);
      for (const element of elements) out += execute(run, node.body, element, root);
    }
  }
  return out;
}

function evalPipeline(run: Run, pipe: Pipeline, dot: unknown, root: unknown): unknown {
  const { source } = run;
  let previous: unknown;
  pipe.forEach((command, index) => {
    const [head, ...rest] = command as [Operand, ...Operand[]];
    const piped = index > 0 ? [previous] : [];
    if (head.kind !== 'func') {
      if (rest.length > 0 || piped.length > 0) {
        throw execError(source, head, `can't give argument to non-function ${head.text}`);
      }
      previous = evalOperand(run, head, dot, root);
      return;
    }
    const args = [...rest.map((operand) => evalOperand(run, operand, dot, root)), ...piped];
    const fn = run.functions[head.name] as FunctionTable[string];
    if (fn.arity !== 'any' && args.length !== fn.arity) {
      throw execError(
        source,
        head,
        `wrong number of args for ${head.name}: want ${fn.arity} got ${args.length}`,
      );
    }
    previous = fn.fn(...args);
  });
  return previous;
}

function evalOperand(run: Run, operand: Operand, dot: unknown, root: unknown): unknown {
  const { source } = run;
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'func') {
    const fn = run.functions[operand.name] as FunctionTable[string];
    if (fn.arity !== 0 && fn.arity !== 'any') {
      throw execError(source, operand, `wrong number of args for ${operand.name}: want ${fn.arity} got 0`);
    }
    return fn.fn();
  }
  let value = operand.fromRoot ? root : dot;
  for (const name of operand.chain) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, name)) {
      value = (value as Record<string, unknown>)[name];
      continue;
    }
    const type =
      value === null || value === undefined ? 'nil' : Array.isArray(value) ? 'slice' : typeof value;
    const suffix =
      typeof value === 'object' && value !== null && !Array.isArray(value) ? '' : ` in type ${type}`;
    throw execError(source, operand, `can't evaluate field ${name}${suffix}`);
  }
  return value;
}

function execError(source: string, operand: Operand, message: string): TemplateError {
  const before = source.slice(0, operand.pos);
  const line = before.split('\n').length;
  const column = operand.pos - (before.lastIndexOf('\n') + 1);
  return new TemplateError(`template: :${line}:${column}: executing "" at <${operand.text}>: ${message}`);
}

const lineOf = (source: string, offset: number) => source.slice(0, offset).split('\n').length;

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

function rangeElements(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) {
    return Object.keys(value)
      .sort()
      .map((k) => (value as Record<string, unknown>)[k]);
  }
  if (value === null || value === undefined) return [];
  throw new TemplateError(`template: range can't iterate over ${printValue(value)}`);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Go's `%v` for decoded JSON values: slices as `[a b]`, maps as `map[k:v]`, nil as `<no value>`. */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(printValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${printValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

const BIGINT_MARK = '@@stevedore-bigint:';

/** Go's json.Marshal escapes <, > and & for HTML safety; Docker's `json` function inherits that. */
function toJson(value: unknown): string {
  // A bigint (an event's timeNano) is printed as a JSON number with all its digits, as Go does.
  const marked = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v,
  );
  return (marked?.replace(new RegExp(`"${BIGINT_MARK}(-?\\d+)"`, 'g'), '$1') ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}
