"""The consultant's side: the leads, their pipeline and lists, the follow-up cadence, the
call brief, analytics, exports, GDPR and the back-office accounts.
"""
