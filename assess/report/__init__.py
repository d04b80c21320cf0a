"""The personalised report: its plan and content as plain data, then HTML and PDF."""
