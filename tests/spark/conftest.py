"""One local Spark for the Spark tests: two cores, each task tried twice (a killed task is
run again), few shuffle partitions (the batches here are small for Spark)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from kodevakt.spark import start

MASTER = "local[2,2]"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = start(MASTER, {"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()
