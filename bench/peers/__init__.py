"""Small servers the webhook bench measures wahub against; used by bench/webhook.py only."""
