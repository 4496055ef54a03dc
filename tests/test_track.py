"""Time tracking: wm log, start, stop, status."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

LOG = "timelogs/alice/2026-11.md"


@pytest.fixture
def ws(workspace: Path, write_doc, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("WM_PERSON", raising=False)
    write_doc("people/alice.md", "---\nname: Alice\nemail: Alice@Example.com\n---\n")
    write_doc("people/bob.md", "---\nname: Bob\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    write_doc("projects/web/tasks/design-mockups.md", "---\ntitle: Design mockups\n---\n")
    write_doc("projects/web/tasks/copy.md", "---\ntitle: Copy\n---\n")
    return workspace


def log_text(ws: Path) -> str:
    return (ws / LOG).read_text(encoding="utf-8")


def test_start_then_stop_writes_the_entry(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    started = wm("-C", str(ws), "start", "design-mockups", "Hero", "section", "--at", "09:15", "--person", "alice")
    assert started.exit_code == 0, started.output
    assert log_text(ws).endswith("- 2026-11-26 09:15- design-mockups Hero section\n")
    status = wm("-C", str(ws), "status", "--at", "10:00", "--person", "alice")
    assert status.stdout == "running: design-mockups Hero section since 09:15 (45m)\ntoday (2026-11-26): 45m logged by alice (a running timer)\n"
    stopped = wm("-C", str(ws), "stop", "--at", "11:45", "--person", "alice")
    assert stopped.exit_code == 0, stopped.output
    assert log_text(ws).endswith("- 2026-11-26 09:15-11:45 design-mockups Hero section\n")
    assert wm("-C", str(ws), "status", "--at", "12:00", "--person", "alice").stdout == (
        "no timer running\ntoday (2026-11-26): 2h30m logged by alice (1 entry)\n"
    )
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_new_timelog_file_is_valid(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    wm("-C", str(ws), "log", "copy", "1h30m", "--person", "alice")
    assert log_text(ws) == "---\ntype: timelog\nperson: alice\n---\n\n# Alice: November 2026\n\n- 2026-11-26 1h30m copy\n"
    assert wm("-C", str(ws), "validate").exit_code == 0


def test_second_start_stops_the_first(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    wm("-C", str(ws), "start", "design-mockups", "--at", "09:00", "--person", "alice")
    result = wm("-C", str(ws), "start", "copy", "--at", "10:30", "--person", "alice")
    assert "stopped the timer on design-mockups" in result.output
    lines = log_text(ws).splitlines()[-2:]
    assert lines == ["- 2026-11-26 09:00-10:30 design-mockups", "- 2026-11-26 10:30- copy"]


def test_a_timer_stopped_in_the_minute_it_started_is_discarded(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """A start on the wrong task, put right at once: the wrong timer has no time to log, so its line goes (the
    other lines stay byte for byte); `wm stop` in that minute does the same. Stopping before the start is refused."""
    wm("-C", str(ws), "log", "copy", "1h", "--person", "alice")
    before = log_text(ws)
    wm("-C", str(ws), "start", "copy", "--at", "09:00", "--person", "alice")
    switched = wm("-C", str(ws), "start", "design-mockups", "--at", "09:00", "--person", "alice")
    assert switched.exit_code == 0, switched.output
    assert "discarded the timer on copy (started 09:00, stopped in the same minute: no time to log)" in switched.output
    assert log_text(ws) == before + "- 2026-11-26 09:00- design-mockups\n"
    stopped = wm("-C", str(ws), "stop", "--at", "09:00", "--person", "alice")
    assert stopped.exit_code == 0, stopped.output
    assert "discarded the timer on design-mockups" in stopped.stdout and log_text(ws) == before
    wm("-C", str(ws), "start", "copy", "--at", "09:30", "--person", "alice")
    early = wm("-C", str(ws), "stop", "--at", "09:29", "--person", "alice")
    assert early.exit_code != 0 and "the timer started at 2026-11-26 09:30 (give a later --at)" in early.output
    assert log_text(ws) == before + "- 2026-11-26 09:30- copy\n"


def test_parallel_keeps_both_running(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    wm("-C", str(ws), "start", "design-mockups", "--at", "09:00", "--person", "alice")
    wm("-C", str(ws), "start", "copy", "--at", "10:30", "--person", "alice", "--parallel")
    assert log_text(ws).splitlines()[-2:] == ["- 2026-11-26 09:00- design-mockups", "- 2026-11-26 10:30- copy"]
    wm("-C", str(ws), "stop", "--at", "11:00", "--person", "alice")
    assert log_text(ws).splitlines()[-2:] == ["- 2026-11-26 09:00-11:00 design-mockups", "- 2026-11-26 10:30-11:00 copy"]


def test_log_refuses_an_overlapping_range(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(ws), "log", "copy", "09:00-10:30", "--person", "alice").exit_code == 0
    before = log_text(ws)
    result = wm("-C", str(ws), "log", "design-mockups", "10:00-11:00", "Review", "--person", "alice")
    assert result.exit_code == 2
    assert f"overlaps alice's entry {LOG}:8 (2026-11-26 09:00-10:30 copy)" in result.output
    assert log_text(ws) == before
    assert wm("-C", str(ws), "log", "design-mockups", "10:30-11:00", "--person", "alice").exit_code == 0
    assert wm("-C", str(ws), "log", "design-mockups", "10:00-11:00", "--person", "bob").exit_code == 0


def test_future_entry_is_a_warning(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "log", "copy", "2h", "--date", "2026-12-01", "--person", "alice")
    assert result.exit_code == 0
    assert "warning: 2026-12-01 is in the future" in result.output
    assert (ws / "timelogs/alice/2026-12.md").read_text(encoding="utf-8").endswith("- 2026-12-01 2h copy\n")


def test_log_appends_in_the_file_style(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    path = ws / LOG
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf---\r\nperson: alice\r\n---\r\n- 2026-11-02 1h copy")
    assert wm("-C", str(ws), "log", "copy", "30m", "--date", "2026-11-03", "--person", "alice").exit_code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf---\r\nperson: alice\r\n---\r\n- 2026-11-02 1h copy\r\n- 2026-11-03 30m copy\r\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "desing-mockups", "1h"), "did you mean 'design-mockups'?"),
        (("log", "copy", "an hour"), "expected a duration"),
        (("log", "copy", "25:00-26:00"), "bad clock time"),
        (("log", "copy", "09:00-"), "use 'wm start'"),
        (("log", "alice", "1h"), "no task or project with ID 'alice'"),
        (("stop",), "alice has no running timer"),
        (("start", "copy", "--at", "9h"), "--at: expected HH:MM"),
    ],
)
def test_bad_time_input(ws: Path, wm, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), *args, "--person", "alice")
    assert result.exit_code != 0
    assert message in result.output
    assert not (ws / LOG).exists()


def test_me_from_env_and_git_email(ws: Path, wm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    config.write_text("[user]\n\temail = nobody@example.com\n", encoding="utf-8")
    result = wm("-C", str(ws), "status")
    assert result.exit_code == 2
    assert "matches no person's email" in result.output and "WM_PERSON" in result.output
    monkeypatch.setenv("WM_PERSON", "bob")
    assert "logged by bob" in wm("-C", str(ws), "status", "--at", "12:00").output
    monkeypatch.delenv("WM_PERSON")
    subprocess.run(["git", "config", "--global", "user.email", "alice@example.com"], check=True)
    assert "logged by alice" in wm("-C", str(ws), "status", "--at", "12:00").output


def test_log_refuses_a_range_over_a_running_timer(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    wm("-C", str(ws), "start", "copy", "--at", "13:00", "--person", "alice")
    result = wm("-C", str(ws), "log", "design-mockups", "14:00-15:00", "--person", "alice")
    assert result.exit_code == 2
    assert "overlaps alice's entry timelogs/alice/2026-11.md:8 (2026-11-26 13:00- copy)" in result.output
    assert wm("-C", str(ws), "log", "design-mockups", "11:00-12:00", "--person", "alice").exit_code == 0


def test_log_dates_yesterday_and_days_back(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """`--date yesterday` and `--date -2d`, as the help's forms promise (today is 2026-11-26 in the tests)."""
    assert wm("-C", str(ws), "log", "copy", "1h", "--date", "yesterday", "--person", "alice").exit_code == 0
    assert wm("-C", str(ws), "log", "copy", "2h", "--date", "-2d", "--person", "alice").exit_code == 0
    assert log_text(ws).splitlines()[-2:] == ["- 2026-11-25 1h copy", "- 2026-11-24 2h copy"]
    bad = wm("-C", str(ws), "log", "copy", "1h", "--date", "the day before", "--person", "alice")
    assert bad.exit_code == 2 and "expected a date YYYY-MM-DD (or today, tomorrow, yesterday, +3d, -1w)" in bad.output


def test_a_night_across_midnight_is_logged_and_two_times_the_wrong_way_round_refused(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """22:00-01:00 is a night's work (3 h, logged with a warning); 10:00-09:00 would be 23 h, a slip: refused with the
    range it most likely meant, and nothing logged (it was logged, and billed, as 23 h)."""
    night = wm("-C", str(ws), "log", "copy", "22:00-01:00", "--person", "alice")
    assert night.exit_code == 0 and "warning: 22:00-01:00 crosses midnight: 3h logged from 2026-11-26" in night.output
    assert log_text(ws).endswith("- 2026-11-26 22:00-01:00 copy\n")
    before = log_text(ws)
    slip = wm("-C", str(ws), "log", "copy", "10:00-09:00", "--person", "alice")
    assert slip.exit_code == 2 and slip.stderr.startswith("wm: 10:00-09:00 would be 23h across midnight: did you mean 09:00-10:00?")
    assert log_text(ws) == before
    later = wm("-C", str(ws), "log", "copy", "11:00-12:00", "--date", "2026-11-20", "--person", "alice")
    assert later.exit_code == 0 and "warning" not in later.output


def test_two_parallel_timers_stopped_in_the_minute_they_started_are_both_discarded(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """Removing one timer's line must not move the line of the other one still to stop."""
    wm("-C", str(ws), "log", "copy", "1h", "--person", "alice")
    before = log_text(ws)
    wm("-C", str(ws), "start", "copy", "--at", "09:00", "--person", "alice")
    wm("-C", str(ws), "start", "design-mockups", "--at", "09:00", "--person", "alice", "--parallel")
    stopped = wm("-C", str(ws), "stop", "--at", "09:00", "--person", "alice")
    assert stopped.exit_code == 0, stopped.output
    assert log_text(ws) == before


def test_a_start_before_the_running_timer_began_is_refused_in_words(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """It said 'cannot stop at 08:00' to someone who asked to start, without naming --parallel."""
    assert wm("-C", str(ws), "start", "design-mockups", "--at", "10:00", "--person", "alice").exit_code == 0
    before = log_text(ws)
    early = wm("-C", str(ws), "start", "copy", "--at", "08:00", "--person", "alice")
    assert early.exit_code != 0
    assert early.stderr == (
        "wm: alice's timer on design-mockups started at 2026-11-26 10:00, after 2026-11-26 08:00: starting then would stop it"
        " before it began; give a later --at, or --parallel to keep it running; nothing was started\n"
    )
    assert log_text(ws) == before
    assert wm("-C", str(ws), "start", "copy", "--at", "08:00", "--parallel", "--person", "alice").exit_code == 0


def test_a_timer_cannot_start_later_than_now(ws: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    now = dt.datetime.now()
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("no minute left today to be in the future")
    monkeypatch.setenv("WM_TODAY", now.date().isoformat())
    later = f"{min(now + dt.timedelta(minutes=2), now.replace(hour=23, minute=59)):%H:%M}"
    result = wm("-C", str(ws), "start", "copy", "--at", later, "--person", "alice")
    assert result.exit_code != 0 and f"--at {later} is later than now" in result.stderr
    assert not (ws / "timelogs").exists()


def test_a_wm_person_that_is_no_person_is_named_as_the_cause(ws: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WM_PERSON", "zed")
    result = wm("-C", str(ws), "status")
    assert result.exit_code != 0 and result.stderr == "wm: WM_PERSON=zed: no person with ID 'zed' (set WM_PERSON to a person's ID, or unset it)\n"
    assert "WM_PERSON" not in wm("-C", str(ws), "status", "--person", "zed").stderr  # --person names its own mistake


def test_a_timer_stopped_over_an_entry_is_said(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """An entry 14:00-15:30, then a timer started at 12:00 and stopped at 17:30 around it: written, and the overlap
    said (wm validate then reports it, as it did before, unannounced)."""
    assert wm("-C", str(ws), "log", "design-mockups", "14:00-15:30", "--person", "alice").exit_code == 0
    assert wm("-C", str(ws), "start", "copy", "--at", "12:00", "--person", "alice").exit_code == 0
    stopped = wm("-C", str(ws), "stop", "--at", "17:30", "--person", "alice")
    assert stopped.exit_code == 0
    assert "warning: the timer on copy (12:00-17:30) overlaps timelogs/alice/2026-11.md:" in stopped.stderr
    assert "14:00-15:30 design-mockups); wm validate reports the two until one changes" in stopped.stderr
    assert wm("-C", str(ws), "start", "copy", "--at", "18:00", "--person", "alice").exit_code == 0
    clean = wm("-C", str(ws), "stop", "--at", "18:30", "--person", "alice")
    assert clean.exit_code == 0 and clean.stderr == ""


def test_status_before_a_timer_began_says_so(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(ws), "start", "copy", "--at", "09:00", "--person", "alice").exit_code == 0
    early = wm("-C", str(ws), "status", "--at", "08:00", "--person", "alice")
    assert early.stdout.splitlines()[0] == "running: copy from 2026-11-26 09:00, not begun at 2026-11-26 08:00"  # it said "(0m)"
    assert wm("-C", str(ws), "status", "--at", "09:30", "--person", "alice").stdout.splitlines()[0] == "running: copy since 09:00 (30m)"
