"""PySpark jobs over the chat history: reports and (later) the archive and retraining data."""
