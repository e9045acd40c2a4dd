"""Top keywords of players' questions by Korean morphological analysis (kiwipiepy): nouns and
verb/adjective stems, so "배고파", "배고픈데" and "배고프다" count as one word, unlike whitespace splitting."""
import re
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor

from .personal_data import MASKS

NOUNS = {"NNG", "NNP", "SL"}  # general and proper nouns, foreign words
_analyser: Future | None = None


def preload() -> None:
    """Loads the analyser (seconds) in the background, e.g. while Spark starts."""
    global _analyser
    if _analyser is None:
        from kiwipiepy import Kiwi

        # Without the typo and multi-word dictionaries: loads in 2 s instead of 5, same stems for keywords.
        _analyser = ThreadPoolExecutor(1).submit(Kiwi, load_typo_dict=False, load_multi_dict=False)


def top_keywords(question_counts: dict[str, int], n: int) -> list[dict]:
    """`question_counts`: each distinct question and how often it was asked. Players repeat questions, so
    each is analysed once, on the driver (one analyser, loaded once, not one per Spark partition)."""
    preload()
    kiwi = _analyser.result()
    counts = Counter()
    questions = [q for q in question_counts if q]
    # Without the masks personal data left ("[이메일]"): they read as the players' most asked words.
    masks = re.compile("|".join(re.escape(mask) for _, mask in MASKS))
    for question, tokens in zip(questions, kiwi.tokenize([masks.sub(" ", q) for q in questions])):
        for token in tokens:
            verb = token.tag.startswith(("VV", "VA"))  # VV-I, VA-R…: irregular stems too
            if token.tag in NOUNS or verb:
                word = token.form + "다" if verb else token.form
                if len(word) > 1:
                    counts[word] += question_counts[question]
    return [{"keyword": word, "count": count} for word, count in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:n]]
