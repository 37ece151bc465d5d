"""A local stand-in for Meta's Cloud API: same paths, shapes, rules and webhooks, plus a control API."""
