"""Default locations, resolved from the repository root so scripts run from anywhere."""
from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TRAINING_DIR.parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CHATBOT_CSV = SHARED_DATA / "chatbot_data" / "ChatbotData.csv"
NSMC_TXT = SHARED_DATA / "nsmc" / "reviews.txt.gz"
RUNS_DIR = TRAINING_DIR / "runs"
MODEL_DIR = REPO_ROOT / "npc" / "model"
