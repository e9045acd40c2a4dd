import { readFile } from "node:fs/promises";

/** Live objects of one kind in a V8 heap snapshot: how many, and their own bytes. */
export interface HeapKind {
  count: number;
  bytes: number;
}

/** A `.heapsnapshot` file's flat tables, with a node's fields read by name. */
class HeapSnapshot {
  readonly nodeCount: number;
  private readonly fieldCount: number;
  private readonly at: Record<"type" | "name" | "id" | "self_size" | "edge_count", number>;

  constructor(
    readonly meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] },
    readonly nodes: number[],
    readonly edges: number[],
    readonly strings: string[],
  ) {
    this.fieldCount = meta.node_fields.length;
    this.nodeCount = nodes.length / this.fieldCount;
    const at = (field: string) => meta.node_fields.indexOf(field);
    this.at = { type: at("type"), name: at("name"), id: at("id"), self_size: at("self_size"), edge_count: at("edge_count") };
  }

  static async read(path: string): Promise<HeapSnapshot> {
    const { snapshot, nodes, edges, strings } = JSON.parse(await readFile(path, "utf8"));
    return new HeapSnapshot(snapshot.meta, nodes, edges, strings);
  }

  type = (node: number) => this.meta.node_types[0][this.nodes[node * this.fieldCount + this.at.type]!]!;
  /** Stable across snapshots of one process: the same object keeps its id. */
  id = (node: number) => this.nodes[node * this.fieldCount + this.at.id]!;
  size = (node: number) => this.nodes[node * this.fieldCount + this.at.self_size]!;
  edgeCount = (node: number) => this.nodes[node * this.fieldCount + this.at.edge_count]!;

  /** Objects by constructor, closures by function name, everything else by node type, as Chrome's devtools group them. */
  kind(node: number): string {
    const type = this.type(node);
    const name = this.strings[this.nodes[node * this.fieldCount + this.at.name]!]!;
    return type === "object" ? name : type === "closure" ? `${name || "(anonymous)"}()` : `(${type})`;
  }

  /**
   * Each node's holder on a shortest path from the roots (weak edges left out), and the edge's name: enough to say
   * what holds a grown array without the whole retainer graph.
   */
  holders(): { holder: Int32Array; edgeName: string[] } {
    const [types] = this.meta.edge_types;
    const edgeFields = this.meta.edge_fields.length;
    const [typeAt, nameAt, toAt] = ["type", "name_or_index", "to_node"].map((field) => this.meta.edge_fields.indexOf(field)) as [number, number, number];
    const firstEdge = new Int32Array(this.nodeCount + 1);
    for (let node = 0; node < this.nodeCount; node++) firstEdge[node + 1] = firstEdge[node]! + this.edgeCount(node) * edgeFields;
    const holder = new Int32Array(this.nodeCount).fill(-1);
    const edgeName: string[] = new Array(this.nodeCount);
    const queue = new Int32Array(this.nodeCount);
    let head = 0;
    let tail = 1; // node 0 is the synthetic root
    holder[0] = 0;
    while (head < tail) {
      const node = queue[head++]!;
      for (let e = firstEdge[node]!; e < firstEdge[node + 1]!; e += edgeFields) {
        const type = types[this.edges[e + typeAt]!]!;
        const to = this.edges[e + toAt]! / this.fieldCount;
        if (type === "weak" || holder[to] !== -1) continue;
        holder[to] = node;
        const name = this.edges[e + nameAt]!;
        // Indices merge: one path for all the elements of a list.
        edgeName[to] = type === "element" || type === "hidden" ? "[]" : this.strings[name]!;
        queue[tail++] = to;
      }
    }
    return { holder, edgeName };
  }
}

/**
 * A `.heapsnapshot` file (what `--heapsnapshot-signal` writes after a full GC) summed by kind: objects by
 * constructor, closures by function name, everything else by node type ("(string)", "(code)"), as the
 * Memory tab of Chrome's devtools groups them.
 */
export async function heapKinds(path: string): Promise<Map<string, HeapKind>> {
  const snapshot = await HeapSnapshot.read(path);
  const kinds = new Map<string, HeapKind>();
  for (let node = 0; node < snapshot.nodeCount; node++) {
    const kind = snapshot.kind(node);
    const entry = kinds.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snapshot.size(node);
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

/**
 * Where the "(array)" bytes went between two snapshots of one process: the backing stores of lists, maps and
 * objects that grew (matched by id) or are new, summed by what holds them, e.g. `Object.root → Root.refCount →
 * Object.elements`. A count of arrays can fall while their bytes rise; this names the ones that rose.
 */
export async function grownArrays(beforePath: string, afterPath: string, top: number): Promise<{ heldBy: string; arrays: number; bytes: number }[]> {
  const before = await HeapSnapshot.read(beforePath);
  const bytesBefore = new Map<number, number>();
  for (let node = 0; node < before.nodeCount; node++) if (before.type(node) === "array") bytesBefore.set(before.id(node), before.size(node));
  const after = await HeapSnapshot.read(afterPath);
  const { holder, edgeName } = after.holders();
  const heldBy = (node: number) => {
    const hops: string[] = [];
    for (let at = node; hops.length < 3 && holder[at]! > 0; at = holder[at]!) hops.unshift(`${after.kind(holder[at]!)}.${edgeName[at]}`);
    return hops.join(" → ") || "(root)";
  };
  const grown = new Map<string, { arrays: number; bytes: number }>();
  for (let node = 0; node < after.nodeCount; node++) {
    if (after.type(node) !== "array") continue;
    const bytes = after.size(node) - (bytesBefore.get(after.id(node)) ?? 0);
    if (bytes <= 0) continue;
    const path = heldBy(node);
    const entry = grown.get(path) ?? { arrays: 0, bytes: 0 };
    entry.arrays++;
    entry.bytes += bytes;
    grown.set(path, entry);
  }
  return [...grown].map(([path, entry]) => ({ heldBy: path, ...entry })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
}
