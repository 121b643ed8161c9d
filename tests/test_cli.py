"""The command line: exit codes, messages, schema, skeletons, start-up imports."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import yaml
from click.testing import CliRunner

from briefs import __version__
from briefs.cli import main

from .conftest import MINIMAL, SAMPLES


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"briefs, version {__version__}"


def test_help_documents_exit_codes():
    result = run("--help")
    assert result.exit_code == 0
    assert "0 success; 1 a build or delivery failed;" in result.output
    assert "3 another run holds the output folder; 130 interrupted." in " ".join(result.output.split())
    assert "2 invalid input or usage" in result.output


def test_validate_samples():
    result = run("validate", *map(str, sorted(SAMPLES.glob("*.yaml"))))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("agreement file(s) valid")


def test_validate_quiet_prints_nothing_on_success(write):
    result = run("-q", "validate", str(write(MINIMAL)))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_validate_reports_every_problem_with_exit_2(write):
    path = write(MINIMAL.replace("type: agreement", "type: accord").replace("status: signed", "statu: signed"))
    result = run("validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{path}:1:1: status: required field is missing",
        f"{path}:2:7: type: 'accord' is not one of: 'charter', 'agreement', 'treaty', 'convention', 'memorandum', "
        "'joint-statement', 'declaration' or 'protocol'",
        f"{path}:3:1: statu: unknown field 'statu'; did you mean 'status'?",
    ]
    assert "Traceback" not in result.output


def test_validate_missing_file(tmp_path):
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.yaml'}:1:1: no such file or folder"


def test_schema_is_valid_json_schema_and_accepts_the_samples():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in SAMPLES.glob("*.yaml"):
        # the samples as an editor's YAML language server sees them: YAML types, dates as text
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        errors = list(validator.iter_errors(data))
        assert errors == [], (path, [e.message for e in errors[:3]])


def test_schema_describes_every_field():
    schema = json.loads(run("schema").stdout)

    def walk(node, where):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if where and name not in {"bg", "en"}:
                    assert prop.get("description"), f"{where}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(schema, "#")
    assert schema["properties"]["title"]["required"] == ["bg", "en"]


def test_schema_follows_configured_languages(tmp_path, monkeypatch):
    (tmp_path / "briefs.toml").write_text('languages = ["bg", "en", "de"]\n')
    monkeypatch.chdir(tmp_path)
    schema = json.loads(run("schema").stdout)
    assert schema["properties"]["title"]["required"] == ["bg", "en", "de"]


def test_bad_configuration_is_located(tmp_path, monkeypatch):
    (tmp_path / "briefs.toml").write_text('languages = "bg"\n')
    monkeypatch.chdir(tmp_path)
    result = run("schema")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'briefs.toml:1:1: languages: must be a non-empty list of language tags such as "bg"'
    )


def _fill(text: str) -> str:
    """Fill a skeleton in as an analyst would."""
    values = {
        "code": "USA",
        "date": "2026-01-01",
        "prepared": "2026-01-02",
        "id": "src",
        "source": "src",
        "spoken_in": "en",
        "language": "bg",
        "url": "https://example.org/report",
        "publisher": "Publisher",
    }
    out = []
    for line in text.splitlines():
        match = re.match(r'^(\s*(?:- )?)(\w+): ""$', line.strip("\n"))
        if match:
            key = match.group(2)
            line = line.replace('""', values.get(key, f'"Текст {key}"'))
        out.append(line)
    return "\n".join(out) + "\n"


def test_new_writes_a_skeleton_that_validates_once_filled_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("new", "eu-test-2027")
    assert result.exit_code == 0, result.output
    path = tmp_path / "agreements" / "eu-test-2027.yaml"
    skeleton = path.read_text(encoding="utf-8")
    assert 'id: "eu-test-2027"' in skeleton
    assert "# Full title, per language." in skeleton
    unfilled = run("validate", str(path))
    assert unfilled.exit_code == 2
    assert f"{path}:" in unfilled.stderr
    path.write_text(_fill(skeleton), encoding="utf-8")
    filled = run("validate", str(path))
    assert filled.exit_code == 0, filled.stderr


def test_new_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("new", "one").exit_code == 0
    before = (tmp_path / "agreements" / "one.yaml").read_bytes()
    again = run("new", "one")
    assert again.exit_code == 2
    assert again.stderr.strip() == "agreements/one.yaml:1:1: file exists already; not overwritten"
    assert (tmp_path / "agreements" / "one.yaml").read_bytes() == before


def test_new_refuses_a_bad_id():
    result = run("new", "Bad Id")
    assert result.exit_code == 2
    assert "'Bad Id' is not a slug" in result.stderr


def test_help_and_validate_do_not_import_weasyprint():
    for args in (["--help"], ["validate", str(SAMPLES)]):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "briefs", *args], capture_output=True, text=True, check=True
        )
        imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
        assert "weasyprint" not in imported
        assert "docx" not in imported


def test_global_options_work_after_the_command_too(tmp_path):
    """-q, -v and --config are accepted before or after the command's name."""
    (tmp_path / "three.toml").write_text('languages = ["bg", "en", "de"]\n')
    for args in (
        ["-q", "validate", str(SAMPLES)],
        ["validate", "-q", str(SAMPLES)],
        ["validate", str(SAMPLES), "--quiet"],
    ):
        result = run(*args)
        assert (result.exit_code, result.output) == (0, ""), args
    after = run("validate", str(SAMPLES), "--config", str(tmp_path / "three.toml"))
    assert after.exit_code == 2
    assert "title.de: the de text is missing" in after.stderr


def test_a_build_with_nothing_to_do_does_not_import_weasyprint(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "briefs", "-q", "build", str(SAMPLES), "--format", "pdf", "-o", str(out)]
    subprocess.run(command, check=True)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True, check=True
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "weasyprint" not in imported
