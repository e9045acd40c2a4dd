import { readFile } from "node:fs/promises";

/** Live objects of one kind in a V8 heap snapshot: how many, and their own bytes. */
export interface HeapKind {
  count: number;
  bytes: number;
}

/**
 * A `.heapsnapshot` file (what `--heapsnapshot-signal` writes after a full GC) summed by kind: objects by
 * constructor, closures by function name, everything else by node type ("(string)", "(code)"), as the
 * Memory tab of Chrome's devtools groups them.
 */
export async function heapKinds(path: string): Promise<Map<string, HeapKind>> {
  const snapshot = JSON.parse(await readFile(path, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((field) => fields.indexOf(field)) as [number, number, number];
  const kinds = new Map<string, HeapKind>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]!]!;
    const kind = type === "object" ? strings[nodes[i + nameAt]!]! : type === "closure" ? `${strings[nodes[i + nameAt]!] || "(anonymous)"}()` : `(${type})`;
    const entry = kinds.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt]!;
    kinds.set(kind, entry);
  }
  return kinds;
}

/** The kinds that grew most in bytes from `before` to `after`, with their growth. */
export function grownKinds(before: Map<string, HeapKind>, after: Map<string, HeapKind>, top: number) {
  return [...after]
    .map(([kind, { count, bytes }]) => ({ kind, count: count - (before.get(kind)?.count ?? 0), bytes: bytes - (before.get(kind)?.bytes ?? 0) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

export const totalBytes = (kinds: Map<string, HeapKind>) => [...kinds.values()].reduce((sum, kind) => sum + kind.bytes, 0);
