"""The KoGPT2 chatbot prompt format, `<usr>question<sys>answer</s>`, written once.

The same format ships to the TypeScript engine as the tokenizer's chat template.
"""
USER = "<usr>"
SYSTEM = "<sys>"
EOS = "</s>"
PAD = "<pad>"
UNK = "<unk>"
SPECIAL_TOKENS = [EOS, USER, SYSTEM, PAD, UNK]

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}" + USER + "{{ message['content'] }}"
    "{% elif message['role'] == 'assistant' %}" + SYSTEM + "{{ message['content'] }}" + EOS +
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}" + SYSTEM + "{% endif %}"
)


def question_prompt(question: str) -> str:
    return f"{USER}{question}{SYSTEM}"


def turn_text(question: str, answer: str) -> str:
    """A finished exchange; retrieved pairs are shown to the model as earlier turns."""
    return f"{USER}{question}{SYSTEM}{answer}{EOS}"


def clean_answer(text: str) -> str:
    """Generated text up to the first end of sentence, without special tokens, nor the "�" of bytes that make no
    character (a syllable cut off), which the engine drops too (npc/engine.ts `decode`): scored as players read it."""
    text = text.split(EOS, 1)[0]
    for token in SPECIAL_TOKENS:
        text = text.replace(token, "")
    text = text.replace("\ufffd", "")
    return " ".join(text.split())
