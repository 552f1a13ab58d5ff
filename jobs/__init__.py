"""Spark jobs, one per pipeline stage, plus the shared settings, Spark and lake layers."""
