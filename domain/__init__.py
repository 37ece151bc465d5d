"""The pure WhatsApp model: no I/O, no framework, no clock reads (time comes in as an argument)."""
