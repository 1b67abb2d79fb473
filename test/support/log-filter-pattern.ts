/**
 * The part of CloudWatch Logs filter and pattern syntax the stacks use, evaluated over one
 * log line, so tests can feed real log lines through the synthesized patterns
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 * - JSON patterns `{ $.a.b = "text" }`, `!=`, numeric `= != < <= > >=`, `*` wildcards in
 *   strings, `&&` binding tighter than `||`, parentheses;
 * - term patterns: every term (bare or "quoted") must occur in the line, case-sensitively;
 * - Contributor Insights rule bodies (`Contribution.Filters` with `Match` + `In`, and `Keys`).
 * Anything else throws, so a pattern the stacks start to use cannot pass unread.
 */

type Condition = (event: unknown) => boolean;

/** Does the metric filter `pattern` match this log line? */
export function filterMatches(pattern: string, line: string): boolean {
  const trimmed = pattern.trim();
  if (trimmed.startsWith('{')) {
    if (!trimmed.endsWith('}')) throw new Error(`unbalanced JSON pattern: ${pattern}`);
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return false; // a JSON pattern never matches a line that is not JSON
    }
    return parseJsonPattern(trimmed.slice(1, -1))(event);
  }
  return termsOf(trimmed).every((term) => line.includes(term));
}

/** The value a selector such as `$.audit.actorId` or `$.items[0].id` picks out of a parsed line. */
export function select(event: unknown, selector: string): unknown {
  if (!selector.startsWith('$')) throw new Error(`selector must start with $: ${selector}`);
  const steps = selector.slice(1).match(/\.[A-Za-z0-9_\-]+|\[\d+\]/g) ?? [];
  if (steps.join('') !== selector.slice(1)) throw new Error(`unsupported selector: ${selector}`);
  let value: unknown = event;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1);
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export interface InsightRuleBody {
  readonly LogFormat: string;
  readonly Contribution: { readonly Keys: readonly string[]; readonly Filters?: readonly { readonly Match: string; readonly In?: readonly unknown[] }[] };
}

/** The contributor a Contributor Insights rule counts for this line, or undefined when the line does not count. */
export function insightContributor(rule: InsightRuleBody, line: string): string[] | undefined {
  if (rule.LogFormat !== 'JSON') throw new Error(`unsupported LogFormat ${rule.LogFormat}`);
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  for (const filter of rule.Contribution.Filters ?? []) {
    const unsupported = Object.keys(filter).filter((k) => k !== 'Match' && k !== 'In');
    if (unsupported.length > 0 || !filter.In) throw new Error(`unsupported rule filter ${JSON.stringify(filter)}`);
    if (!filter.In.includes(select(event, filter.Match))) return undefined;
  }
  const keys = rule.Contribution.Keys.map((key) => select(event, key));
  return keys.every((k) => k !== undefined && k !== null) ? keys.map(String) : undefined;
}

function termsOf(pattern: string): string[] {
  const terms: string[] = [];
  for (const match of pattern.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    const term = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!;
    if (/^[-?]/.test(term)) throw new Error(`unsupported term operator in ${pattern}`);
    terms.push(term);
  }
  if (terms.length === 0) throw new Error('empty pattern: matches everything');
  return terms;
}

const TOKEN = /\s*(\(|\)|&&|\|\||!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\$[^\s=!<>()&|]*)/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) throw new Error(`unsupported JSON pattern syntax at "${source.slice(at)}"`);
    tokens.push(match[1]!);
  }
  return tokens;
}

function parseJsonPattern(source: string): Condition {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (token === undefined) throw new Error(`JSON pattern ends early: ${source}`);
    return token;
  };

  const primary = (): Condition => {
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw new Error(`missing ) in ${source}`);
      return inner;
    }
    const selector = next();
    const operator = next();
    const operand = next();
    if (!selector.startsWith('$')) throw new Error(`expected a selector, got ${selector}`);
    return comparison(selector, operator, operand);
  };
  /** Left to right over `operator`, each operand parsed by `operand`. */
  const chain = (operator: '&&' | '||', operand: () => Condition) => (): Condition => {
    const operands = [operand()];
    while (peek() === operator) {
      next();
      operands.push(operand());
    }
    return operator === '&&' ? (event) => operands.every((c) => c(event)) : (event) => operands.some((c) => c(event));
  };
  const and = chain('&&', primary);
  const or: () => Condition = chain('||', and);

  const condition = or();
  if (position !== tokens.length) throw new Error(`unexpected "${tokens[position]}" in ${source}`);
  return condition;
}

function comparison(selector: string, operator: string, operand: string): Condition {
  if (operand.startsWith('"')) {
    if (operator !== '=' && operator !== '!=') throw new Error(`strings compare with = or != only: ${selector} ${operator} ${operand}`);
    const text = operand.slice(1, -1).replace(/\\(.)/g, '$1');
    const wanted = new RegExp(`^${text.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    return (event) => {
      const value = select(event, selector);
      // A missing field matches neither = nor != (CloudWatch evaluates no comparison on it).
      if (value === undefined || value === null || typeof value === 'object') return false;
      return wanted.test(String(value)) === (operator === '=');
    };
  }
  const number = Number(operand);
  if (!Number.isFinite(number)) throw new Error(`unsupported operand ${operand}`);
  const compare: Record<string, (a: number) => boolean> = {
    '=': (a) => a === number,
    '!=': (a) => a !== number,
    '<': (a) => a < number,
    '<=': (a) => a <= number,
    '>': (a) => a > number,
    '>=': (a) => a >= number,
  };
  const test = compare[operator];
  if (!test) throw new Error(`unsupported operator ${operator}`);
  return (event) => {
    const value = select(event, selector);
    return typeof value === 'number' && test(value);
  };
}
