"""The `flask --app assess ...` commands: questionnaire, report, worker, users, demo data."""
