import sys
from pathlib import Path

# train_toxicity.py is a script beside this folder, not a package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
