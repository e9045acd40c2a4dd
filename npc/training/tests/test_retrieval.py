from kobot_train.retrieval import KnowledgeIndex, context_for, cross_word_bigrams, grams
from kobot_train.retrieval_compare import same_answer, scores


def test_grams_are_characters_and_bigrams_inside_words():
    assert grams("날씨 좋다!") == ["날", "씨", "날씨", "좋", "다", "좋다"]
    assert grams("?!") == []
    assert cross_word_bigrams("날씨 좋다!") == ["날씨", "씨좋", "좋다"]


def test_a_one_syllable_word_counts():
    # As in Chatbot_data, "…고 싶다" is common; the word that says what the question is about is not.
    pairs = [("보고싶다", "보고 싶은가봐요."), ("책 좀 읽어야지", "좋은 생각이에요."), ("놀고 싶다", "저도요."),
             ("쉬고 싶다", "내려 놓으세요."), ("자고 싶다", "일찍 자요."), ("먹고 싶다", "드세요.")]
    assert KnowledgeIndex(pairs).search("책 읽고 싶다", 1)[0].index == 1
    assert KnowledgeIndex(pairs, cross_word_bigrams).search("책 읽고 싶다", 1)[0].index == 0


def test_scores_count_a_question_whose_best_pair_carries_its_own_answer():
    index = KnowledgeIndex([("머리 아파", "약 드세요."), ("배고파", "밥 먹어요.")])
    result = scores(index, [("머리가 아파", "약 드세요!"), ("배가 고파", "물 드세요.")], min_score=0.0)
    assert same_answer("약 드세요.", "약 드세요!")
    assert result["top1"] == 0.5 and result["shown"] == 1.0 and result["precision"] == 0.5


def test_the_context_puts_the_best_neighbour_last_right_before_the_question():
    # As the engine orders them (npc/retrieval-context.ts): least similar first, the best right before the question.
    pairs = [("졸려", "주무세요."), ("배가 고파요", "간식 어때요?"), ("배고파", "밥 드세요."), ("배고프다", "뭐라도 드세요.")]
    index = KnowledgeIndex(pairs)
    hits = index.search("배고파", 3, 0.0, exclude_question="배고파")
    assert len(hits) == 2 and hits[0].score > hits[1].score > 0, "search: best first (졸려 shares nothing)"
    best, second = pairs[hits[0].index], pairs[hits[1].index]
    assert context_for(index, "배고파", 3, 0.0, exclude_self=True) == [second, best]
