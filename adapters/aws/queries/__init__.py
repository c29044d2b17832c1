"""CloudWatch Logs Insights queries, shipped with the package so the CLI and Terraform share them.

``run_story.logsinsights`` is one run's story over the runtime log group, in time order. Its one
placeholder, ``RUN_ID``, stands where the run id goes; run ids match the pattern of
docs/contract.md §1, so the id is put in as it is, with no quoting. infra/terraform/logs.tf saves
the same file as the console query ``<project>/run-story``, where the placeholder stays for the
person to replace; tests/infra checks the two cannot drift apart. ``@message`` (the whole JSON line)
is among its fields so that ``ridesweep logs`` reads every field of each event from it.
"""
