/** Endings a Korean name takes when a player calls someone by it: 미나야, 코봇아, 한스씨, 미나님 (and 한스 씨, 미나 님). */
export const CALLING_ENDINGS = ["아", "야", "씨", "님"] as const;

/** The endings that may also stand as a word of their own after the name ("한스 씨"). */
export const TITLES: ReadonlySet<string> = new Set(["씨", "님"]);
