"""azlog batch: many bundles into one table; broken bundles, resume, output formats, mining, the dask executor,
the matching engine."""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from azlog_vmbackup.analyzer.apps import analyze as analyze_module
from azlog_vmbackup.analyzer.apps import batch
from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.apps.batch import inputs, mining
from azlog_vmbackup.analyzer.apps.batch.rows import COLUMNS
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.bundle import BundleError
from tests.helpers import ROOT, azlog

SAMPLES = ROOT / "samples" / "bundles"
BROKEN = ("broken-truncated.zip", "broken-truncated.tar.gz", "broken-random.zip", "broken-empty-folder")
N_BUNDLES = 40
FEW = ("linux-fsfreeze-failed.zip", "windows-healthy.zip", BROKEN[0])  # two readable, one not


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={"agent_version": str}, keep_default_na=False)
    if path.suffix == ".jsonl":
        return pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])
    return pd.read_parquet(path)


def _comparable(frame: pd.DataFrame) -> list[dict]:
    """Rows without elapsed, sorted by path, with missing values as ''."""
    frame = frame.drop(columns=["elapsed"]).astype(object).where(frame.drop(columns=["elapsed"]).notna(), "")
    rows = frame.to_dict("records")
    for row in rows:
        row["score"] = "" if row["score"] == "" else round(float(row["score"]), 3)
        row["errors"], row["skipped"] = int(row["errors"]), int(row["skipped"])
        row["agent_version"] = str(row["agent_version"])
    return sorted(rows, key=lambda r: r["path"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """40 bundles: every sample, a few re-commented copies (other sha256, same content), four broken ones."""
    root = tmp_path_factory.mktemp("corpus") / "cases"
    root.mkdir()
    samples = sorted(SAMPLES.iterdir())
    for sample in samples:
        shutil.copy(sample, root / sample.name)
    zips = [s for s in samples if s.suffix == ".zip"]
    for i in range(N_BUNDLES - len(samples) - len(BROKEN)):
        copy = root / f"copy-{i}-{zips[i].name}"
        shutil.copy(zips[i], copy)
        with zipfile.ZipFile(copy, "a") as zf:
            zf.comment = f"copy {i}".encode()
    good = (SAMPLES / "linux-fsfreeze-failed.zip").read_bytes()
    (root / BROKEN[0]).write_bytes(good[:len(good) // 3])
    (root / BROKEN[1]).write_bytes((SAMPLES / "linux-no-internet-access-sosreport.tar.gz").read_bytes()[:3000])
    (root / BROKEN[2]).write_bytes(bytes(range(256)) * 8)
    (root / BROKEN[3]).mkdir()
    assert len(list(root.iterdir())) == N_BUNDLES
    return root


@pytest.fixture(scope="module")
def expected(corpus) -> dict[str, str]:
    """What analyze() says: the top cause named at medium or high confidence ("" for none: a weak sign names
    no cause), None for the broken bundles."""
    knowledge = Knowledge.load()
    causes = {}
    for path in sorted(corpus.iterdir()):
        try:
            result = analyze(path, knowledge)
        except BundleError:
            causes[str(path)] = None
        else:
            causes[str(path)] = next((d.cause for d in result.diagnoses if d.confident), "")
    return causes


@pytest.fixture(scope="module")
def csv_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("csv")
    run = azlog("batch", corpus, "--out", out / "x.csv", "--jobs", "2", "--unknown", out / "unknown.csv")
    assert run.returncode == 0, run.stderr
    return out / "x.csv", out / "unknown.csv", run


def test_csv_one_row_per_bundle_with_analyze_cause(csv_run, expected):
    out, _, run = csv_run
    table = _read(out)
    assert list(table.columns) == COLUMNS
    assert len(table) == N_BUNDLES and table["path"].is_unique
    assert set(table["path"]) == set(expected)
    for row in table.to_dict("records"):
        if expected[row["path"]] is None:
            assert row["status"] == "error" and row["message"] and row["cause"] == ""
        else:
            assert row["status"] == "ok" and row["message"] == "", row
            assert row["cause"] == expected[row["path"]], row["path"]
            assert len(row["sha256"]) == 64 and row["os"] in ("linux", "windows")
    healthy = [p for p in table["path"] if "healthy" in p]
    assert healthy and all(expected[p] == "" for p in healthy)  # calm bundles: no cause, however weak the signs
    assert "40 bundles" in run.stderr and f"{len(BROKEN)} errors" in run.stderr
    assert "\x1b[" not in run.stderr  # no progress bar when piped


def test_broken_bundles_are_error_rows(csv_run, corpus):
    table = _read(csv_run[0]).set_index("path")
    for name in BROKEN:
        row = table.loc[str(corpus / name)]
        assert row["status"] == "error"
    assert "not a readable archive" in table.loc[str(corpus / BROKEN[0]), "message"]
    assert "holds no files" in table.loc[str(corpus / BROKEN[3]), "message"]
    fsfreeze = table.loc[str(corpus / "linux-fsfreeze-failed.zip")]
    assert fsfreeze["error_codes"].startswith("UserErrorFsFreeze") and fsfreeze["confidence"] == "high"


def test_unknown_templates_with_counts(csv_run):
    templates = _read(csv_run[1])
    assert list(templates.columns) == ["template", "count", "bundles", "example", "example_bundles"]
    assert len(templates) > 5
    assert (templates["count"] >= templates["bundles"]).all() and (templates["bundles"] >= 1).all()
    assert templates["count"].is_monotonic_decreasing
    assert all(1 <= len(b.split(";")) <= 3 for b in templates["example_bundles"])
    # variable parts are masked: no template keeps a timestamp or a GUID
    assert not templates["template"].str.contains(r"\d{4}-\d{2}-\d{2}|[0-9a-f]{8}-[0-9a-f]{4}-").any()
    assert f"{len(templates)} unknown-error templates (grouped by drain3)" in csv_run[2].stderr \
        or f"{len(templates)} unknown-error templates (grouped by masking)" in csv_run[2].stderr


def test_resume_after_interruption_adds_only_missing_rows(corpus, tmp_path):
    out = tmp_path / "r.csv"
    paths = sorted(corpus.iterdir())
    first = azlog("batch", *paths[:N_BUNDLES // 2], "--out", out, "--jobs", "2")
    assert first.returncode == 0, first.stderr
    with open(out, "ab") as f:  # a crash in the middle of writing a row
        f.write(b"/half/written.zip,abc")
    again = azlog("batch", corpus, "--out", out)
    assert again.returncode == 2 and "--resume" in again.stderr
    errors_before = _read(out)["status"].eq("error").sum()
    resumed = azlog("batch", corpus, "--out", out, "--resume", "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert errors_before and f"{N_BUNDLES // 2 - errors_before} already in" in resumed.stderr  # errors retried
    assert f"{errors_before} rows replaced" in resumed.stderr
    assert b"/half/written" not in out.read_bytes()
    table = _read(out)
    assert len(table) == N_BUNDLES and table["path"].is_unique
    assert table.loc[table["sha256"] != "", "sha256"].is_unique
    assert set(table["path"]) == {str(p) for p in paths}


def test_jsonl_and_parquet_hold_the_same_rows(corpus, csv_run, tmp_path):
    jsonl = tmp_path / "x.jsonl"
    assert azlog("batch", corpus, "--out", jsonl, "--jobs", "2").returncode == 0
    lines = jsonl.read_text().splitlines()
    assert len(lines) == N_BUNDLES and all(json.loads(line)["sha256"] is not None for line in lines)
    assert _comparable(_read(jsonl)) == _comparable(_read(csv_run[0]))
    pytest.importorskip("pyarrow", reason="pyarrow is not installed: parquet output not tested")
    parquet = tmp_path / "x.parquet"
    half = sorted(corpus.iterdir())[:10]
    assert azlog("batch", *half, "--out", parquet).returncode == 0
    assert len(_read(parquet)) == 10
    run = azlog("batch", corpus, "--out", parquet, "--resume")
    assert run.returncode == 0, run.stderr
    table = _read(parquet)
    assert _comparable(table) == _comparable(_read(csv_run[0]))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _scratch_in(folder):
    """Dask's own scratch files (its workers' locks) in ``folder``, not in the machine's temporary folder."""
    import dask

    return dask.config.set({"temporary-directory": str(folder)})


def test_dask_executor_gives_the_same_rows(corpus, csv_run, tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed cannot be installed here")
    out = tmp_path / "d.csv"
    with _scratch_in(tmp_path), distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                                         protocol="tcp", host="127.0.0.1",
                                                         dashboard_address=None) as cluster:
        run = azlog("batch", corpus, "--out", out, "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert run.returncode == 0, run.stderr
    assert _comparable(_read(out)) == _comparable(_read(csv_run[0]))


def test_usage_errors(corpus, tmp_path):
    assert azlog("batch", corpus, "--out", tmp_path / "x.xlsx").returncode == 2
    assert azlog("batch", corpus, "--out", tmp_path / "x.csv", "--engine", "dask").returncode == 2
    assert azlog("batch", corpus, "--out", tmp_path / "x.csv", "--unknown", tmp_path / "u.txt").returncode == 2
    run = azlog("batch", str(tmp_path / "none-*.zip"), "--out", tmp_path / "x.csv")
    assert run.returncode == 2 and "matched nothing" in run.stderr


def test_executor_dask_without_scheduler_is_one_line(corpus, tmp_path):
    run = azlog("batch", corpus, "--out", tmp_path / "x.csv", "--executor", "dask")
    assert run.returncode == 2
    assert run.stderr == "azlog: --executor dask needs --scheduler tcp://HOST:PORT\n"
    assert not (tmp_path / "x.csv").exists()


def test_engine_local_or_dask_still_names_the_executor(corpus, csv_run, tmp_path):
    out = tmp_path / "l.csv"
    run = azlog("batch", *(corpus / name for name in FEW), "--out", out, "--engine", "local")
    assert run.returncode == 0, run.stderr
    expected_rows = [r for r in _comparable(_read(csv_run[0])) if Path(r["path"]).name in FEW]
    assert _comparable(_read(out)) == expected_rows
    clash = azlog("batch", corpus, "--out", tmp_path / "c.csv", "--engine", "dask", "--executor", "local")
    assert clash.returncode == 2 and clash.stderr.count("\n") == 1 and clash.stderr.startswith("azlog: ")


def test_engine_regex_is_the_matching_engine(corpus, csv_run, tmp_path):
    out = tmp_path / "r.csv"
    run = azlog("batch", *(corpus / name for name in FEW), "--out", out, "--engine", "regex")
    assert run.returncode == 0, run.stderr
    expected_rows = [r for r in _comparable(_read(csv_run[0])) if Path(r["path"]).name in FEW]
    assert _comparable(_read(out)) == expected_rows  # the same diagnoses whichever engine matched


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_matching_engine_reaches_analyze_in_every_worker(executor, corpus, tmp_path, monkeypatch):
    """The engine's name goes with each bundle to analyze() in the worker: a forked process of the pool,
    or a dask task (on an in-process cluster here); both see this test's spy."""
    if executor == "local" and multiprocessing.get_start_method() != "fork":
        pytest.skip("pool workers see the spy only when they are forked")
    seen = tmp_path / "engines.txt"
    real = analyze_module.analyze

    def spy(*args, engine=None, **kwargs):
        with open(seen, "a") as f:
            f.write(f"{engine}\n")
        return real(*args, engine=engine, **kwargs)

    monkeypatch.setattr(analyze_module, "analyze", spy)
    bundles = [corpus / name for name in FEW[:2]]
    with contextlib.ExitStack() as stack:
        scheduler = None
        if executor == "dask":
            distributed = pytest.importorskip("distributed", reason="dask.distributed cannot be installed here")
            stack.enter_context(_scratch_in(tmp_path))
            cluster = stack.enter_context(distributed.LocalCluster(
                processes=False, n_workers=2, threads_per_worker=1, protocol="tcp", host="127.0.0.1",
                dashboard_address=None))
            scheduler = cluster.scheduler_address
        summary = batch.run(bundles, tmp_path / "x.jsonl", jobs=2, executor=executor, scheduler=scheduler,
                            engine="regex")
    assert [r["status"] for r in summary.rows] == ["ok", "ok"]
    assert seen.read_text().split() == ["regex", "regex"]


def test_bad_engine_is_a_usage_error(corpus, tmp_path):
    run = azlog("batch", corpus, "--out", tmp_path / "x.csv", "--engine", "bogus")
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert run.stderr.startswith("azlog: ") and "bogus" in run.stderr
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(batch.BatchError, match="bogus"):
        batch.run([corpus], tmp_path / "x.csv", engine="bogus")


def test_inputs_folders_and_globs(corpus, tmp_path):
    tree = tmp_path / "extracted"
    (tree / "var" / "log").mkdir(parents=True)
    (tree / "var" / "log" / "waagent.log").write_text("x\n")
    cases = tmp_path / "cases"
    (cases / "a").mkdir(parents=True)
    (cases / "b.zip").write_bytes(b"")
    assert not inputs.is_queue(str(tree)) and inputs.is_extracted(str(tree))  # an extracted bundle is one bundle
    assert inputs.is_queue(str(cases))                    # an archive beside it: a folder of bundles
    assert inputs.is_queue(str(corpus))
    (cases / "notes.txt").write_text("")
    assert inputs.is_queue(str(cases))                    # a stray file does not make the queue one bundle
    found = inputs.expand([str(tree), str(corpus), str(corpus / "linux-*.zip"), str(tmp_path / "**" / "*.log")])
    assert found.bundles[0] == str(tree) and len(found.bundles) == 1 + N_BUNDLES  # each bundle once
    assert not found.warnings and not found.skipped       # the .log glob reached inside the extracted bundle only
    assert inputs.sha256_of(tree) == inputs.sha256_of(str(tree))
    found = inputs.expand([str(cases)])
    assert found.bundles == [str(cases / "a"), str(cases / "b.zip")]
    assert found.skipped == [(str(cases / "notes.txt"), "neither an archive nor a .log file, in a folder of bundles")]


def test_masking_templater_without_drain3():
    miner = mining.Miner(use_drain=False)
    assert miner.method == "masking"
    first = "2026-11-20T01:02:03Z ERROR connect to 10.0.0.1 failed after 3 tries in /var/lib/waagent"
    miner.add("a.zip", {mining.mask(first): [2, first]})
    second = "2026-11-21T04:05:06Z ERROR connect to 10.0.0.2 failed after 5 tries in /tmp"
    miner.add("b.zip", {mining.mask(second): [1, "x"]})
    miner.add("b.zip", {mining.mask("disk full"): [1, "disk full"]})
    assert miner.rows()[0] == {"template": "<TIME> ERROR connect to <IP> failed after <NUM> tries in <PATH>",
                               "count": 3, "bundles": 2, "example": first, "example_bundles": "a.zip;b.zip"}
