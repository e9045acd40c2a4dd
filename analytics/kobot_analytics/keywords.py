"""Top keywords of players' questions by Korean morphological analysis (kiwipiepy): nouns and
verb/adjective stems, so "배고파", "배고픈데" and "배고프다" count as one word, unlike whitespace splitting."""
from pyspark.sql import DataFrame

NOUNS = {"NNG", "NNP", "SL"}  # general and proper nouns, foreign words


def _morphemes(rows):
    from kiwipiepy import Kiwi  # one analyser per partition: it is not serialisable

    kiwi = Kiwi()
    for row in rows:
        text, times = row["question"] or "", row["count"]
        for token in kiwi.tokenize(text):
            verb = token.tag.startswith(("VV", "VA"))  # VV-I, VA-R…: irregular stems too
            if token.tag in NOUNS or verb:
                word = token.form + "다" if verb else token.form
                if len(word) > 1:
                    yield (word, times)


def top_keywords(questions: DataFrame, n: int) -> list[dict]:
    # Players repeat questions: analyse each distinct question once, weighted by how often it was asked.
    distinct = questions.groupBy("question").count()
    counts = distinct.rdd.mapPartitions(_morphemes).reduceByKey(lambda a, b: a + b).collect()
    counts.sort(key=lambda wc: (-wc[1], wc[0]))
    return [{"keyword": word, "count": count} for word, count in counts[:n]]
