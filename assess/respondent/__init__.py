"""The respondent's side: drafts, submissions, address confirmation, team invitations,
re-assessment and resume links.
"""
