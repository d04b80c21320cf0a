"""What the tests share besides fixtures: drivers, servers, records and test data.

A test module imports from here or gets a fixture from conftest.py, never imports
another test module (tests/test_test_layout.py checks it).
"""
