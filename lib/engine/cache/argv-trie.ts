import { numberText } from '../commands/key-slot.js';
import type { RedisArgument } from '../resp/types.js';

/**
 * One argument as a trie edge: strings as themselves, numbers as the decimal text they are sent as
 * (so `0` and `'0'` share an edge: same bytes on the wire, same reply), Buffers by their bytes
 * (latin1 text) on a separate edge map, so no string can collide with a Buffer. @internal
 */
export type ArgvPart = string | { readonly bytes: string };

/** A position in the trie (a full argv); opaque outside this file. @internal */
export interface TrieSlot<V> {
  readonly parent: TrieSlot<V> | undefined;
  readonly edge: ArgvPart | undefined;
  strings: Map<string, TrieSlot<V>> | undefined;
  buffers: Map<string, TrieSlot<V>> | undefined;
  value: V | undefined;
}

function slot<V>(parent: TrieSlot<V> | undefined, edge: ArgvPart | undefined): TrieSlot<V> {
  return { parent, edge, strings: undefined, buffers: undefined, value: undefined };
}

/** The parts of an argv, captured at a miss (Buffers copied as text, so later mutation is harmless). @internal */
export function argvParts(argv: readonly RedisArgument[]): ArgvPart[] {
  const parts = new Array<ArgvPart>(argv.length);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    parts[i] = typeof arg === 'string' ? arg : typeof arg === 'number' ? numberText(arg) : { bytes: arg.toString('latin1') };
  }
  return parts;
}

/**
 * Values keyed by a full argv and the reply mode, binary-safe. A lookup walks one Map per argument
 * and builds no key string, so the hit path costs a few hash lookups of the caller's own strings.
 * Empty branches are pruned on delete. @internal
 */
export class ArgvTrie<V> {
  private strings = slot<V>(undefined, undefined);
  private buffers = slot<V>(undefined, undefined);

  /** The value stored for `argv` in this reply mode, if any. */
  get(argv: readonly RedisArgument[], buffers: boolean): V | undefined {
    let node: TrieSlot<V> | undefined = buffers ? this.buffers : this.strings;
    for (let i = 0; i < argv.length && node !== undefined; i++) {
      const arg = argv[i]!;
      if (typeof arg === 'string') node = node.strings?.get(arg);
      else if (typeof arg === 'number') node = node.strings?.get(numberText(arg));
      else node = node.buffers?.get(arg.toString('latin1'));
    }
    return node?.value;
  }

  /** The slot of `parts` (created when missing). */
  slotFor(parts: readonly ArgvPart[], buffers: boolean): TrieSlot<V> {
    let node = buffers ? this.buffers : this.strings;
    for (const part of parts) {
      const text = typeof part === 'string' ? part : part.bytes;
      const map = typeof part === 'string' ? (node.strings ??= new Map()) : (node.buffers ??= new Map());
      let child = map.get(text);
      if (child === undefined) map.set(text, (child = slot(node, part)));
      node = child;
    }
    return node;
  }

  /** Stores `value` in `target`; returns the value it replaced. */
  put(target: TrieSlot<V>, value: V): V | undefined {
    const previous = target.value;
    target.value = value;
    return previous;
  }

  /** Clears `target` if it holds `value`, pruning branches left empty. */
  delete(target: TrieSlot<V>, value: V): void {
    if (target.value !== value) return;
    target.value = undefined;
    let node: TrieSlot<V> = target;
    while (node.parent !== undefined && node.value === undefined && !node.strings?.size && !node.buffers?.size) {
      const edge = node.edge!;
      if (typeof edge === 'string') node.parent.strings?.delete(edge);
      else node.parent.buffers?.delete(edge.bytes);
      node = node.parent;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.strings = slot(undefined, undefined);
    this.buffers = slot(undefined, undefined);
  }
}
