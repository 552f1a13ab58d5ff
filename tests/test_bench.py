"""The bench's enrich ratio: arithmetic and which limit it is read against (no timing asserted)."""

from __future__ import annotations

from jobs.bench import enrich_ratio

MODELS = {"wall_posts_per_s": {"all_three": 2000.0}, "cpu_posts_per_s": {"all_three": 2500.0}}
STAGE = {"seconds": 100.0, "cpu_s_driver": 60.0, "cpu_s_workers": 140.0, "summary": {"silver_rows": 200_000}}


def test_ratio_is_read_against_the_days_rows_when_measured() -> None:
    on_inputs = {"wall_posts_per_s": 1600.0, "cpu_posts_per_s": 1000.0}
    ratio = enrich_ratio(STAGE, 2, MODELS, on_inputs)
    assert ratio["rows_per_s"] == 2000
    assert ratio["limit_basis"].startswith("enrich batch function")
    assert (ratio["limit_rows_per_s"], ratio["fraction_of_limit"]) == (3200, 0.625)
    assert ratio["cpu_fraction_of_limit"] == 1.0  # 200,000 rows in 200 CPU-s against 1,000 per CPU-s
    assert (ratio["generated_texts_limit_rows_per_s"], ratio["generated_texts_fraction_of_limit"]) == (4000, 0.5)
    assert ratio["generated_texts_cpu_fraction_of_limit"] == 0.4


def test_ratio_falls_back_to_generated_texts_without_the_days_rows() -> None:
    for on_inputs in (None, {}):
        ratio = enrich_ratio(STAGE, 2, MODELS, on_inputs)
        assert ratio["limit_basis"].startswith("three models on generated texts")
        assert (ratio["limit_rows_per_s"], ratio["fraction_of_limit"]) == (4000, 0.5)
