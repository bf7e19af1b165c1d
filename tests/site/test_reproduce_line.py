"""The page's reproduce row: the commands the trials record, distinct, oldest first."""

from __future__ import annotations

from reportgen.pages.reproduce import reproduce_line


def test_distinct_commands_in_order_with_the_logbook_folder_shortened():
    line = str(reproduce_line([
        "reportgen run demo --logbook /home/me/repo/logbook --quiet",
        "reportgen run demo --logbook /home/me/repo/logbook --quiet",
        "reportgen retrain demo --trial r1-s0-0003 --seeds 10",
        "",
    ]))  # fmt: skip
    assert line.index("reportgen run demo --logbook logbook --quiet") < line.index("retrain")
    assert line.count("<code>") == 2 and "/home/me" not in line
    assert "as recorded in the trials" in line


def test_nothing_recorded_says_so_and_record_text_is_escaped():
    assert str(reproduce_line(["", " "])).startswith("not recorded")
    line = str(reproduce_line(["reportgen run x <script>alert(1)</script>"]))
    assert "<script>" not in line and "&lt;script&gt;" in line


def test_a_long_history_is_counted_not_listed():
    line = str(reproduce_line([f"reportgen retrain demo --trial t{i}" for i in range(9)]))
    assert line.count("<code>") == 6 and "and 3 more" in line
