from kobot_train.prompt import CHAT_TEMPLATE, EOS, PAD, SYSTEM, USER, clean_answer, question_prompt
from kobot_train.tokenizer import train_tokenizer

CORPUS = ["배고파", "밥 먹어요.", "오늘 날씨 어때?", "맑을 거예요.", "심심해", "게임 한 판 어때요?"] * 20


def test_chatbot_specials_are_single_tokens_with_the_first_ids():
    tokenizer = train_tokenizer(CORPUS, vocab_size=400, min_frequency=1)
    ids = tokenizer.convert_tokens_to_ids
    assert [ids(t) for t in (EOS, USER, SYSTEM, PAD)] == [0, 1, 2, 3]
    assert tokenizer.eos_token == EOS and tokenizer.bos_token == EOS and tokenizer.pad_token == PAD
    encoded = tokenizer.encode(question_prompt("배고파") + "밥 먹어요." + EOS, add_special_tokens=False)
    assert encoded[0] == ids(USER) and encoded[-1] == ids(EOS)
    assert ids(SYSTEM) in encoded


def test_korean_round_trips_byte_level():
    tokenizer = train_tokenizer(CORPUS, vocab_size=400, min_frequency=1)
    for text in ["배고파", "처음 보는 글자 뷁 🎮", "줄\n바꿈"]:
        assert tokenizer.decode(tokenizer.encode(text, add_special_tokens=False)) == text


def test_chat_template_renders_the_kogpt2_prompt():
    tokenizer = train_tokenizer(CORPUS, vocab_size=400, min_frequency=1)
    assert tokenizer.chat_template == CHAT_TEMPLATE
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": "배고파"}], tokenize=False,
                                             add_generation_prompt=True)
    assert rendered == "<usr>배고파<sys>"


def test_clean_answer_stops_at_the_first_eos():
    assert clean_answer(" 밥 먹어요.</s><usr>또") == "밥 먹어요."
    assert clean_answer("<pad>맛있게  드세요") == "맛있게 드세요"
    assert clean_answer("콕 집 마\ufffd계세요.") == "콕 집 마계세요.", "bytes that make no character dropped, as the engine does"
