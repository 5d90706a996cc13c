"""Notifications: notify(), the kinds table, the outbox, channels, text
messages, the Celery tasks and the reminder registry (outbox.REMINDER_MODULES).
Nothing outside this package sends email or text messages."""
