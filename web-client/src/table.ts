/** A `tag` element of class `className` holding `text` as text, never as markup: player text goes in them. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", className = ""): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.textContent = text;
  if (className) made.className = className;
  return made;
}

/** A table's body: its rows, or one that says there are none. */
export function fill(table: HTMLTableElement, rows: HTMLTableRowElement[], none: string): void {
  const body = table.tBodies[0]!;
  if (rows.length > 0) return body.replaceChildren(...rows);
  const empty = element("td", none, "empty");
  empty.colSpan = table.tHead!.rows[0]!.cells.length;
  const row = element("tr");
  row.append(empty);
  body.replaceChildren(row);
}
