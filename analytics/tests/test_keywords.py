"""Top keywords of players' questions."""
from kobot_analytics.keywords import top_keywords
from kobot_analytics.personal_data import mask_personal_data


def test_leaves_out_the_masks_of_personal_data():
    # They were the top keywords of a day's report ("이메일" 2,719, "전화번호" 2,685): nothing any player typed.
    asked = {mask_personal_data("내 메일 me@example.com 으로 보내줘"): 3, mask_personal_data("010-1234-5678 로 전화해"): 2, "배고파": 1}
    words = [keyword["keyword"] for keyword in top_keywords(asked, 10)]
    assert not {"이메일", "전화번호", "숫자"} & set(words), words
    assert {"메일", "보내다", "전화", "배고프다"} <= set(words), words
