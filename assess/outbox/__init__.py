"""What leaves the app: outbox rows, enqueued after commit and sent by the worker (e-mails,
webhooks), the messages' content and the signed links they carry.
"""
