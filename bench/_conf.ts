import { resolve } from "node:path";
import { readFileSync } from "node:fs";
import { NpcEngine } from "../npc/engine.js";
import { meanLogProbs } from "../npc/answer-scorer.js";
const engine = await NpcEngine.load(resolve("npc/model"));
const e = engine as any;
const d = JSON.parse(readFileSync("npc/eval/everyday-answers.json", "utf8"));
const j = JSON.parse(readFileSync("npc/eval/everyday-judgements.json", "utf8"));
const seen = new Set<string>();
const rows: { q: string; a: string; s: string }[] = [];
for (const v of d.variants) {
  if (!String(v.model).includes("gold80")) continue;
  v.answers.forEach((ans: any, i: number) => {
    const q = d.questions[i]; const k = q + "\t" + ans.text;
    if (seen.has(k) || !j[k] || !ans.text) return; seen.add(k); rows.push({ q, a: ans.text, s: j[k].sensible });
  });
}
const out: any[] = [];
for (const r of rows) {
  const text = engine.checkQuestion(r.q);
  const prompt = e.prompt(text, e.contextFor(text, engine.defaults));
  const ids = e.encode(r.a);
  const [lp, lp0] = await meanLogProbs(e.model, [{ prompt: e.encode(prompt), answer: [...ids, 0] }, { prompt: e.emptyPromptIds, answer: [...ids, 0] }], 3);
  out.push({ ...r, lp, pmi: lp! - lp0! });
}
const auc = (key: string) => { const pos = out.filter((o) => o.s === "yes"), neg = out.filter((o) => o.s === "no"); let c = 0; for (const p of pos) for (const n of neg) c += p[key] > n[key] ? 1 : p[key] === n[key] ? 0.5 : 0; return c / (pos.length * neg.length); };
console.log("n", out.length, "yes", out.filter((o) => o.s === "yes").length, "no", out.filter((o) => o.s === "no").length, "AUC lp", auc("lp").toFixed(3), "AUC pmi", auc("pmi").toFixed(3));
out.sort((a, b) => b.lp - a.lp);
for (const o of out) console.log(o.lp.toFixed(2), o.pmi.toFixed(2), o.s, o.q, "→", o.a);
const greedy = d.variants.find((v: any) => v.name === "v1 + 4 epochs gold 0.8 (shipped)");
for (const tau of [-0.4, -0.5, -0.6, -0.7]) {
  const c: Record<string, number> = {};
  greedy.answers.forEach((ans: any, i: number) => {
    const o = out.find((x) => x.q === d.questions[i] && x.a === ans.text);
    const s = o ? o.s : "no(empty)";
    const kept = o && o.lp >= tau;
    c[(kept ? "kept " : "replaced ") + s] = (c[(kept ? "kept " : "replaced ") + s] ?? 0) + 1;
  });
  console.log(tau, JSON.stringify(c));
}
