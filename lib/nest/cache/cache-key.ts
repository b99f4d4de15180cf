import { ConfigError } from '../../engine/errors/base.error.js';
import type { CacheKey } from '../interfaces/cache-options.interface.js';
import { CacheKeyError, canonicalValue, PART_ALPHABET, templatePart } from './key-encoding.js';

export { CacheKeyError } from './key-encoding.js';

/** What a key is made from. @internal */
export interface KeyContext {
  readonly args: readonly unknown[];
  /** Parameter names of the method, in order ('' for destructured ones). */
  readonly paramNames: readonly string[];
  readonly className: string;
  readonly methodName: string;
}

/** Builds a key from a call. @internal */
export type KeyBuilder = (context: KeyContext) => string;

type Segment = string | { readonly root: string; readonly path: readonly string[]; readonly expression: string };

const EXPRESSION = /^(\d+|[A-Za-z_$][\w$]*)((?:\.[\w$]+)*)$/;

/** Splits a template into literal text and `{expression}` parts; throws ConfigError on bad syntax. @internal */
export function parseKeyTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      text += ch;
      i++;
      continue;
    }
    if (ch === '}') throw new ConfigError('key', `template "${template}" has an unmatched "}" (write "}}" for a literal brace)`);
    if (ch !== '{') {
      text += ch;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    const expression = end === -1 ? '' : template.slice(i + 1, end);
    const match = EXPRESSION.exec(expression);
    if (!match) throw new ConfigError('key', `template "${template}" has an invalid placeholder at ${i} (use {0}, {name} or {name.prop}; "{{" for a literal brace)`);
    if (text) segments.push(text);
    text = '';
    segments.push({ root: match[1]!, path: match[2] ? match[2].slice(1).split('.') : [], expression });
    i = end;
  }
  if (text) segments.push(text);
  checkSeparators(template, segments);
  return segments;
}

/**
 * Two placeholders must be separated by literal text holding a character that no encoded value
 * contains (e.g. `:`), so that `'{0}:{1}'` with `('a:b', 'c')` and `('a', 'b:c')` give different keys.
 */
function checkSeparators(template: string, segments: readonly Segment[]): void {
  const advice = 'use ":" or another character that is not a letter, digit, "_", ".", "-", "%" or "~"';
  for (let i = 1; i < segments.length; i++) {
    const current = segments[i]!;
    if (typeof current === 'string') continue;
    const previous = segments[i - 1]!;
    if (typeof previous !== 'string') throw new ConfigError('key', `template "${template}" has two placeholders in a row; ${advice}`);
    if (i >= 2 && PART_ALPHABET.test(previous)) throw new ConfigError('key', `template "${template}" separates two placeholders with "${previous}" only; ${advice}`);
  }
}

function resolveRoot(root: string, context: KeyContext): unknown {
  if (/^\d+$/.test(root)) return context.args[Number(root)];
  const index = context.paramNames.indexOf(root);
  if (index !== -1) return context.args[index];
  const first = context.args[0];
  if (typeof first === 'object' && first !== null && root in first) return (first as Record<string, unknown>)[root];
  throw new CacheKeyError(`the key placeholder {${root}} is neither a parameter of ${context.className}.${context.methodName} nor a property of its first argument`);
}

function compileTemplate(template: string): KeyBuilder {
  const segments = parseKeyTemplate(template);
  return (context) => {
    let key = '';
    for (const segment of segments) {
      if (typeof segment === 'string') {
        key += segment;
        continue;
      }
      let value = resolveRoot(segment.root, context);
      for (const prop of segment.path) {
        value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[prop];
      }
      key += templatePart(value, segment.expression);
    }
    return key;
  };
}

/**
 * The key used when a decorator gives none: `ClassName.method:` plus the canonical encoding of the
 * argument list (type-tagged, content-based, brace-free; see key-encoding.ts). @internal
 */
export const defaultKeyBuilder: KeyBuilder = (context) => `${context.className}.${context.methodName}:${canonicalValue(context.args)}`;

/** Compiles a key option (template, function or nothing) once, at install time. @internal */
export function compileKey(key: CacheKey | undefined): KeyBuilder {
  if (key === undefined) return defaultKeyBuilder;
  if (typeof key === 'function') {
    const fn = key as (...args: unknown[]) => unknown;
    return (context) => {
      const value = fn(...context.args);
      if (typeof value !== 'string' || value === '') throw new CacheKeyError(`the key function of ${context.className}.${context.methodName} did not return a non-empty string`);
      return value;
    };
  }
  if (typeof key !== 'string' || key === '') throw new ConfigError('key', 'must be a non-empty template string or a function of the arguments');
  return compileTemplate(key);
}

/**
 * Parameter names of a function, read from its source ('' for destructured parameters). Works on
 * tsc output; minified code has other names, so prefer `{0}` there.
 * @internal
 */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  if (open === -1) return [];
  let depth = 0;
  let current = '';
  const params: string[] = [];
  for (let i = open + 1; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (ch === ',' && depth === 0) {
      params.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) params.push(current);
  return params.map((param) => /^\s*(?:\.\.\.)?\s*([A-Za-z_$][\w$]*)/.exec(param.replace(/\/\*.*?\*\//g, ''))?.[1] ?? '');
}
