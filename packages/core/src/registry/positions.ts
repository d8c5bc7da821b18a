// Maps a path inside a parsed YAML/JSON document (e.g. ["tenants", 3, "region"]) to its 1-based line and column.
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export type PathSegment = string | number;

export interface SourcePosition {
  line: number;
  col: number;
}

/** `["tenants", 3, "region"]` → `tenants[3].region` (the path shown in every problem line). */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Finds source positions of paths in one document; missing paths fall back to the nearest existing parent. */
export class SourceMap {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Position of the value at `path`, or of its key when `at` is "key" (unknown fields point at the typo).
   * A path that does not exist (a missing required field) resolves to the deepest parent that does.
   */
  positionOf(path: readonly PathSegment[], at: "value" | "key" = "value"): SourcePosition {
    let node: unknown = this.doc.contents;
    let best: Node | undefined = isNode(node) ? node : undefined;
    let keyNode: Node | undefined;
    for (const segment of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        keyNode = isNode(pair.key) ? pair.key : undefined;
        node = pair.value;
        // `key:` with no value: point at the key.
        best = isNode(node) ? node : keyNode;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
        if (!isNode(node)) break;
        best = node;
      } else {
        break;
      }
    }
    const target = at === "key" && keyNode !== undefined ? keyNode : best;
    const offset = target?.range?.[0] ?? 0;
    return this.lines.linePos(offset);
  }
}

/** Path of the mapping key that starts at `offset` (duplicate-key errors carry only an offset), or undefined. */
export function pathOfKeyAt(doc: Document.Parsed, offset: number): PathSegment[] | undefined {
  const visit = (node: unknown, path: PathSegment[]): PathSegment[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key) && key.range?.[0] === offset) return [...path, String(key.value)];
        const found = isScalar(key) ? visit(pair.value, [...path, String(key.value)]) : undefined;
        if (found !== undefined) return found;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const found = visit(item, [...path, i]);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return visit(doc.contents, []);
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}
