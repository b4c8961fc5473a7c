"""Starting Apache Spark for kodevakt, with plain Norwegian words when it cannot start.

`start(master)` gives the session every entry point of `kodevakt.spark` runs in:

- A local master (`local`, `local[2]`, `local[2,3]`: two cores, a failed task tried three
  times) runs Spark in this process's JVM with the executors' Python workers on this very
  Python (the one kodevakt is installed in), bound to the loopback address, logging only
  Spark's errors (`log4j2.properties`).
- A cluster master (`spark://host:7077`, `yarn`, `k8s://…`) takes its settings from the
  cluster and `spark-submit` (docs/scale.md): kodevakt must be installed in the executors'
  Python there too.
- No master: the session `spark-submit` made, or Spark's own default.

Spark runs on Java (17 or 21); without it, or when the JVM cannot start, `EngineError`
says so in Norwegian instead of a Java stack trace.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from pyspark.errors import PySparkRuntimeError
from pyspark.sql import SparkSession

from kodevakt.errors import EngineError

JAVA_MISSING = (
    "Spark trenger Java (17 eller 21), men java finnes ikke her: installer Debian-pakken "
    "openjdk-17-jre-headless (make test gjør det som root), eller sett JAVA_HOME"
)
NO_START = (
    "Spark kunne ikke startes ({reason}); sjekk at Java 17 eller 21 er installert og at "
    "--master er riktig"
)
# pyspark 4.3 warns on every Arrow function that pandas 3 is not fully supported; kodevakt
# uses none of pandas (mapInArrow only asks for its version), so the warning says nothing.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
LOCAL_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
}


def java_command() -> str | None:
    """The `java` Spark will start: `$JAVA_HOME/bin/java`, else the one on the PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def is_local(master: str | None) -> bool:
    return master is not None and (master == "local" or master.startswith("local["))


def start(master: str | None = None, config: Mapping[str, str] | None = None) -> SparkSession:
    """A Spark session on `master` (see the module docstring), with `config` on top."""
    builder = SparkSession.builder.appName("kodevakt")
    if master is not None:
        builder = builder.master(master)
    settings: dict[str, str] = {}
    if is_local(master):
        if java_command() is None:
            raise EngineError(JAVA_MISSING)
        log = files("kodevakt.spark") / "log4j2.properties"
        settings.update(LOCAL_CONFIG)
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{log}"
        os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers' Python: this one
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    settings.update(config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except PySparkRuntimeError as exc:
        raise EngineError(NO_START.format(reason=exc.getCondition() or "ukjent feil")) from None
    except FileNotFoundError:  # no java where JAVA_HOME points, or no spark-submit
        raise EngineError(JAVA_MISSING) from None
    if is_local(master):
        session.sparkContext.setLogLevel("ERROR")
    return session
