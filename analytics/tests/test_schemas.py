"""The archive's schemas hold every field of the TypeScript contracts they archive: a field added there and not here
was dropped from the archive without a word (deadline, confidence, withheld, source, action were)."""
import re
from pathlib import Path

from kobot_analytics.records import ANSWER, CHAT_LOG, NPC_INFO, QUESTION

ROOT = Path(__file__).resolve().parents[2]


def fields_of(source: str, name: str) -> set[str]:
    """The top-level fields of `export const <name> = z.object({ … })` in a TypeScript file of the repository."""
    text = (ROOT / source).read_text()
    body = re.search(rf"export const {name} = z\s*\.object\(\{{\n(.*?)\n\}}\)", text, re.S)
    assert body, f"{name} not found in {source}"
    fields = set(re.findall(r"^  (\w+):", body.group(1), re.M))
    assert len(fields) >= 5, f"{name}: read {fields}"
    return fields


def names(schema) -> set[str]:
    return {field.name for field in schema.fields} - {"_corrupt"}


def test_question_and_answer_schemas_hold_every_contract_field():
    assert fields_of("kafka/contract.ts", "QuestionMessage") <= names(QUESTION)
    assert fields_of("kafka/contract.ts", "AnswerMessage") <= names(ANSWER)


def test_chat_log_schemas_hold_every_record_field():
    assert fields_of("kafka/chat-log.ts", "ChatLogRecord") <= names(CHAT_LOG)
    assert fields_of("kafka/chat-log.ts", "NpcAnswerInfo") <= names(NPC_INFO)
