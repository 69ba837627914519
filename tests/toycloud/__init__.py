"""A toy cloud that lives in memory: the worked example of docs/adding-a-cloud.md, kept honest by
tests/e2e/test_add_a_cloud.py. One folder (this one), one registry entry (the test registers it), one transport.
"""
