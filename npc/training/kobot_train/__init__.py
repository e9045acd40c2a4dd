"""Training pipeline for the Kobot NPC: a small KoGPT2-style chatbot trained on Chatbot_data."""
