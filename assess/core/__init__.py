"""The domain in plain Python: the questionnaire, answers, steps, scoring, results, peers, team.

Nothing here imports Flask, SQLAlchemy or WeasyPrint (an import-linter contract keeps it so).
"""
