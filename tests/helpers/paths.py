"""Where the tests find the project's files: the shipped diagnostic, fixtures, tools."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "questions.yaml"
FIXTURES = ROOT / "tests" / "fixtures"
OTHER_TOPIC = FIXTURES / "other_topic.yaml"
MINIMAL = FIXTURES / "valid_minimal.yaml"
PERSONAS = ROOT / "tests" / "personas"
# The browser tests' checkers, installed by npm from package.json.
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
