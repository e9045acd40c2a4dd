import { NpcEngine } from "../../npc/engine.js";
import { DEFAULT_MODEL_DIR } from "../../npc/engine/model-folder.js";

let shared: Promise<NpcEngine> | undefined;

/** The shipped model, loaded once for the whole test run. */
export function shippedEngine(): Promise<NpcEngine> {
  shared ??= NpcEngine.load(DEFAULT_MODEL_DIR);
  return shared;
}

/** Questions a player might ask (some are in Chatbot_data: these tests check behaviour, not quality). */
export const EVERYDAY_QUESTIONS = [
  "배고파", "오늘 너무 피곤하다", "주말에 뭐 하지?", "비 와서 우울해", "시험 망쳤어", "친구랑 싸웠어",
  "새 게임 재밌다", "커피 마시고 싶다", "잠이 안 와", "내일 여행 간다", "감기 걸린 것 같아", "운동 하기 싫어",
  "고양이 키우고 싶어", "월급날이다", "길을 잃었어", "이 마을은 처음이야",
];

export function hangulShare(text: string): number {
  const letters = [...text].filter((c) => !/\s/.test(c));
  return letters.filter((c) => c >= "\uac00" && c <= "\ud7a3").length / Math.max(1, letters.length);
}
