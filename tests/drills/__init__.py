"""Reliability and security drills (issue 8): hostile input, injected faults, at-least-once
delivery and load, each checked against what a clean run writes. See README "Reliability drills"."""
