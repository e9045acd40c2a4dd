import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@pytest.fixture(scope="session")
def random_export(tmp_path_factory):
    """A small random GPT-2 exported once for the tests of its graphs: (tokenizer, onnx folder, file sizes)."""
    from kobot_train.export import export
    from test_export import random_checkpoint

    tmp_path = tmp_path_factory.mktemp("random-export")
    tokenizer, _, checkpoint = random_checkpoint(tmp_path)
    sizes = export(checkpoint, tmp_path / "out")
    return tokenizer, tmp_path / "out" / "onnx", sizes
