"""Personal data is masked in the forms players type it, and ordinary chat is left as it was."""
import pytest

from kobot_analytics.personal_data import mask_personal_data


@pytest.mark.parametrize("typed, masked", [
    ("내 번호는 010-1234-5678 이야", "내 번호는 [전화번호] 이야"),
    ("내 번호는 (010)1234-5678 이야", "내 번호는 [전화번호] 이야"),
    ("내 번호 010 - 1234 - 5678", "내 번호 [전화번호]"),
    ("연락처 010–1234–5678 줘", "연락처 [전화번호] 줘"),  # en dash
    ("연락처 010—1234−5678", "연락처 [전화번호]"),  # em dash, minus sign
    ("전화 ０１０-１２３４-５６７８ 줘", "전화 [전화번호] 줘"),  # full-width digits
    ("전화 ０１０－１２３４－５６７８", "전화 [전화번호]"),
    ("+82 10-1234-5678 로 전화해", "[전화번호] 로 전화해"),
    ("010.1234.5678 / 01012345678", "[전화번호] / [전화번호]"),
    ("집 02-123-4567, 회사 (031) 123 4567", "집 [전화번호], 회사 [전화번호]"),
    ("메일 me@example.com 으로 보내줘", "메일 [이메일] 으로 보내줘"),
    ("메일은 철수@회사.한국 이야", "메일은 [이메일] 이야"),  # a Unicode domain
    ("메일 ｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "메일 [이메일]"),
    ("chulsoo(at)example.com 로 줘", "[이메일] 로 줘"),  # the @ spelled out
    ("chulsoo [AT] example.co.kr", "[이메일]"),
    ("메일me@example.com", "[이메일]"),  # a name run on from a word, as before: the whole run
    ("가" * 2000 + " me@example.com", "가" * 2000 + " [이메일]"),  # after a long word (read once, not at each letter)
    ("주문번호 12345678 확인해줘", "주문번호 [숫자] 확인해줘"),
    ("주문번호 １２３４５６７８", "주문번호 [숫자]"),
    # Separators and spellings players use to get past a filter (the review's archive, /tmp/review-poison).
    ("연락 010ㅡ1234ㅡ5678", "연락 [전화번호]"),  # the vowel ㅡ as a dash
    ("010~1234~5678 010_1234_5678", "[전화번호] [전화번호]"),
    ("010/1234/5678, 010,1234,5678", "[전화번호], [전화번호]"),
    ("010 ～ 1234 ～ 5678", "[전화번호]"),
    ("번호 0 1 0 1 2 3 4 5 6 7 8 임", "번호 [숫자] 임"),  # ten and more digits with short gaps
    ("0-1-0-1-2-3-4-5-6-7-8", "[숫자]"),
    ("010 12 34 56 78 로", "[숫자] 로"),  # a mobile number in short groups
    ("계좌 110-123-4567 로, 코드 1234 5678 9012", "계좌 [숫자] 로, 코드 [숫자]"),  # grouped like an account number
    ("chulsoo 골뱅이 naver.com 로", "[이메일] 로"),
    ("chulsoo@naver 닷 com", "[이메일]"),
    ("chulsoo at naver dot com 으로 줘", "[이메일] 으로 줘"),
    ("chulsoo(at)naver(dot)com", "[이메일]"),
    ("무료 골드 https://scam.example/free-gold 클릭", "무료 골드 [링크] 클릭"),
    ("www.scam.example 가봐", "[링크] 가봐"),
    ("여기 bit.ly/3xYz 눌러", "여기 [링크] 눌러"),
    ("scam.example/gold 와 free-gold.xyz 와 naver.com", "[링크] 와 [링크] 와 [링크]"),
    ("나 지금 bit.ly 봤어, han.gl 도", "나 지금 [링크] 봤어, [링크] 도"),  # a short-link host without a path
    ("카톡 아이디 scam77 로 연락", "[메신저 아이디] 로 연락"),
    ("카톡: scam77", "[메신저 아이디]"),
    ("텔레 id：scam_77 디코 scam#1234", "[메신저 아이디] [메신저 아이디]"),
    ("카카오 아이디 chulsoo", "[메신저 아이디]"),
    ("라인ID scam77", "[메신저 아이디]"),
    ("라인 top77 디코 chulsoo 텔레 @bob", "[메신저 아이디] [메신저 아이디] [메신저 아이디]"),
    ("!!무료 골드 받는법 알려줘 https://scam.example/gold 카톡 scam77 010ㅡ1234ㅡ5678",
     "!!무료 골드 받는법 알려줘 [링크] [메신저 아이디] [전화번호]"),
])
def test_masks_phone_numbers_e_mails_and_long_digit_runs(typed, masked):
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize("chat", [
    "ㅋㅋㅋ 배고파 ㅠㅠ",  # compatibility jamo stay as typed (NFKC would change them)
    "３등 했어！",  # full-width text that is no personal data keeps its characters
    "@코봇 안녕",
    "나@너 사이",
    "a@b.c",
    "3 - 2 = 1 이야",
    "2026-12-01 10:30 에 만나",
    "점수 100-200, 버전 1.2.3",
    "12345 번째 손님",
    "고객센터 1588-1234",
    "레벨 30 찍었어",
    "3시 15분에 보스 잡자",
    "1000골드에 팔아",
    "1,000,000,000골드 모았다",  # a price grouped by thousands
    "2026.12.01 10:30 점검",
    "버전 1.2.3 나왔어",
    "ㅋㅋ.ㅋㅋ 뭐야",
    "온라인 rpg 좋아",  # 라인 inside a word
    "카톡 해줘",
    "meet at noon",
    # Game chat the masks took for contact data (the review's pd2.py): lanes, counts, damage, combos, "gg".
    "라인 top 가자",
    "라인 mid 감",
    "라인 bot 밀어",
    "라인 jungle 와줘",
    "1 2 3 4 5 6 7 8 9 10 카운트",
    "10 20 30 40 50 60 70 80 90 100",
    "데미지 99999 88888 77777",
    "딜 12345 67890",
    "스탯 12 34 56 78 90 합",
    "콤보 1-2-3-4-5-6-7-8-9-10",
    "200 300 400 500 600",
    "ez.gg",
    "gg.gg",
    "wwww.개웃기네",
])
def test_leaves_ordinary_chat_and_short_numbers_alone(chat):
    assert mask_personal_data(chat) == chat
