"""Every public page, in English, French and Spanish, is valid HTML according to the Nu Html Checker (vnu.jar)."""

import json
import subprocess
from collections import defaultdict

from tests.browser.conftest import LANGUAGES, PAGE_NAMES, VNU_JAR, fetch

ERROR_TYPES = {"error", "non-document-error"}


def test_pages_have_no_html_errors(page_urls, node_tools, tmp_path):
    files = {}
    for lang, options in LANGUAGES.items():
        for name in PAGE_NAMES:
            status, _, body = fetch(page_urls[name], options["extra_http_headers"])
            assert status == 200, f"{name} ({lang}) answered {status}"
            path = tmp_path / f"{lang}-{name}.html"
            path.write_bytes(body)
            files[path.name] = f"{lang}-{name} ({page_urls[name]})"
    # A page with a known fault, checked in the same run, proves the checker really reports errors.
    canary = tmp_path / "canary.html"
    canary.write_text('<!DOCTYPE html><html lang="en"><title>t</title><p>x</span></html>')

    # One JVM for all the pages: starting Java is the slow part.
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            str(canary),
            *(str(tmp_path / f) for f in sorted(files)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(
            f"vnu.jar gave no JSON report:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        ) from None

    errors = defaultdict(list)
    for message in messages:
        file_name = message.get("url", "").rsplit("/", 1)[-1]
        if message.get("type") in ERROR_TYPES:
            where = f"line {message.get('lastLine', '?')}:{message.get('firstColumn', message.get('lastColumn', '?'))}"
            extract = message.get("extract", "").replace("\n", " ")[:120]
            errors[files.get(file_name, file_name)].append(f"  {where}: {message.get('message')}  [{extract}]")
    assert errors.pop("canary.html", None), f"vnu.jar missed the error in the canary page: {result.stdout[-2000:]}"
    report = "\n".join(f"{page}:\n" + "\n".join(lines) for page, lines in sorted(errors.items()))
    assert not errors, f"vnu.jar found HTML errors:\n{report}"
