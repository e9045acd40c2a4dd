/** Ids seen lately, the newest `kept` of them: whether one comes for the first time. */
export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly kept = 200) {}

  /** True the first time `id` comes; false when it came before. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.kept) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}
