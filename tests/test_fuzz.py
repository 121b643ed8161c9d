"""Fuzzing loading and validation on a budget: never a traceback, always a located error.

The strategies and the property are in tests/fuzz.py; ``make fuzz`` runs them on 100,000 inputs.
Every input that ever failed is kept in tests/fuzz_corpus/ and replayed here.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis.control import current_build_context

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.data.model import Agreement

from .fuzz import ROOT, TIMEOUT, Sample, check, corpus_files, samples, save, seeds


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(samples())
def test_any_input_gives_an_agreement_or_located_problems(sample: Sample):
    try:
        check(sample.raw, sample.suffix)
    except BaseException:
        if current_build_context().is_final:  # the shrunk example, once: keep it as a regression case
            note(f"saved as {save(sample.raw, sample.suffix).relative_to(ROOT)}")
        raise


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.name)
def test_every_input_that_ever_failed(path):
    check(path.read_bytes(), path.suffix, timeout=TIMEOUT)


@pytest.mark.parametrize("seed", seeds(), ids=lambda seed: seed.name)
def test_the_seeds_are_valid_agreements(seed, tmp_path):
    """Mutations start from valid files, so that they reach validation and not only the parser."""
    path = tmp_path / f"seed{seed.suffix}"
    path.write_bytes(seed.raw)
    assert isinstance(load_agreement(path, Config()), Agreement)
