"""DRG weights files: what is accepted, and the Norwegian errors for what is not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kodevakt.drg.weights import ENV_WEIGHTS, WeightsError, drg_key, load_weights, read_weights


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_header_decimal_comma_and_point_comments_and_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "drgvekter_2017.csv",
        "DRG;Kostnadsvekt\n# kommentar\n\n47;0,612\n294 ; 0.853\n 104A;2,5;ekstra kolonne\n",
    )
    table = read_weights(path)
    assert table.year == 2017
    assert table.weights == {"47": 0.612, "294": 0.853, "104A": 2.5}
    assert table.weight("047") == 0.612
    assert table.weight("104a") == 2.5
    assert table.weight("470") is None


def test_no_header_tabs_bom_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "vekter-2016.txt"
    path.write_bytes('\ufeff"47"\t"0,5"\r\n90\t1\r\n'.encode())
    assert read_weights(path).weights == {"47": 0.5, "90": 1.0}


def test_windows_encoded_header_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "vekter_2016.csv", "DRG;Vekt (kr/år)\n47;0,5\n", encoding="cp1252")
    assert read_weights(path).weights == {"47": 0.5}


def test_year_from_option_when_the_name_has_none(tmp_path: Path) -> None:
    path = write(tmp_path / "vekter.csv", "47;0,5\n")
    with pytest.raises(WeightsError, match="--weights-year"):
        read_weights(path)
    assert read_weights(path, 2015).year == 2015
    assert load_weights(str(path), year=2015) is not None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("drg;vekt\n47;0,5\n90;x\n", 3, "vekten for DRG 90 er «x», ikke et tall"),
        ("47;0,5\n90;\n", 2, "vekten for DRG 90 er tom"),
        ("47;1.234,5\n", 1, "ikke et tall"),
        ("47;0,5\n47;0,6\n", 2, "DRG 47 står to ganger med ulik vekt (også på linje 1)"),
        ("47;-0,5\n", 1, "negativ"),
        ("47;0,5\n90 0,7\n", 2, "har ikke formen drg;vekt"),
        ("47;0,5\n;0,7\n", 2, "DRG-koden mangler"),
        ("47;0,5\n4/7;0,7\n", 2, "ser ikke ut som en DRG-kode"),
        ("47;nan\n", 1, "ikke et tall"),
    ],
)
def test_broken_lines_name_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path / "vekter_2017.csv", text)
    with pytest.raises(WeightsError) as caught:
        read_weights(path)
    message = str(caught.value)
    assert f"fil {path}" in message
    assert f"linje {line}:" in message
    assert fragment in message


def test_broken_first_data_line_is_not_taken_for_a_header(tmp_path: Path) -> None:
    path = write(tmp_path / "vekter_2017.csv", "47;abc\n90;1\n")
    with pytest.raises(WeightsError, match="linje 1"):
        read_weights(path)


def test_the_same_drg_twice_with_the_same_weight_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path / "vekter_2017.csv", "47;0,5\n047;0.5\n")
    assert read_weights(path).weights == {"47": 0.5}


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = write(tmp_path / "vekter_2017.csv", "drg;vekt\n\n")
    with pytest.raises(WeightsError, match="ingen DRG-vekter"):
        read_weights(empty)
    with pytest.raises(WeightsError, match="finner ikke vektfilen"):
        read_weights(tmp_path / "mangler_2017.csv")


def test_several_files_by_path_separator_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(tmp_path / "vekter_2016.csv", "47;0,5\n")
    second = write(tmp_path / "vekter_2017.csv", "47;0,6\n")
    joined = os.pathsep.join([str(first), str(second)])
    weights = load_weights(joined)
    assert weights is not None and weights.years == [2016, 2017]
    assert (weights.weight("47", 2016), weights.weight("47", 2017)) == (0.5, 0.6)
    assert weights.weight("47", 2018) is None
    monkeypatch.delenv(ENV_WEIGHTS, raising=False)
    assert load_weights() is None
    monkeypatch.setenv(ENV_WEIGHTS, joined)
    from_env = load_weights()
    assert from_env is not None and from_env.years == [2016, 2017]
    with pytest.raises(WeightsError, match="--weights-year kan bare brukes med én vektfil"):
        load_weights(joined, year=2016)


def test_two_files_for_one_year_is_an_error(tmp_path: Path) -> None:
    first = write(tmp_path / "a_2017.csv", "47;0,5\n")
    second = write(tmp_path / "b_2017.csv", "47;0,6\n")
    with pytest.raises(WeightsError, match="to vektfiler gjelder 2017"):
        load_weights([first, second])


def test_drg_key() -> None:
    assert drg_key(" 047 ") == "47"
    assert drg_key("901o") == "901O"
    assert drg_key("0") == "0"
