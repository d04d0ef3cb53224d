"""A real GA4GH WES server (sapporo-service) on loopback, from its own virtual environment, and the
run script that lets it run CWL workflows with cwltool and no Docker."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from local_platform.aws import free_port


class SapporoServer:
    """sapporo with a run folder of its own, optionally under the spec's /ga4gh/wes/v1 prefix."""

    def __init__(
        self, executable: Path, url_prefix: str = "", run_sh: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.executable = executable
        self.port = free_port()
        self.url_prefix = url_prefix
        self.run_dir = Path(tempfile.mkdtemp(prefix="fip-sapporo-"))
        self.run_sh = run_sh
        self.env = env
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Where the WES API is."""
        return f"http://127.0.0.1:{self.port}{self.url_prefix}"

    def start(self, deadline_seconds: float = 60) -> None:
        """Start sapporo and wait until service-info answers."""
        command = [
            str(self.executable),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--run-dir",
            str(self.run_dir),
        ]
        if self.url_prefix:
            command += ["--url-prefix", self.url_prefix]
        if self.run_sh:
            command += ["--run-sh", str(self.run_sh)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"sapporo exited: {self._process.stderr.read().decode()[-2000:] if self._process.stderr else ''}"
                )
            try:
                if httpx.get(f"{self.base_url}/service-info", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"sapporo did not answer within {deadline_seconds} s")

    def stop(self) -> None:
        """Stop sapporo."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()


# the stock run.sh's cwltool runs in Docker; this one runs cwltool itself, in the run's own folders
_CWLTOOL_WITHOUT_DOCKER = """function run_cwltool() {
    # a relative workflow_url names one of the run's attachments, which sapporo puts in exe_dir
    cd "${exe_dir}"
    local -a cmd_arr=(cwltool --no-container --outdir "${outputs_dir}"
        --tmpdir-prefix "${tmp_dir}/" --tmp-outdir-prefix "${tmp_dir}/out-")
    _append_engine_params cmd_arr
    cmd_arr+=("${wf_url}" "${wf_params}")
    _write_and_run cmd_arr
}
"""


def cwltool_run_script(executable: Path, folder: Path) -> Path:
    """sapporo's own run.sh with its `run_cwltool` replaced by one that calls `cwltool --no-container`
    (docs/external-apis.md, "Running a CWL workflow without Docker"); everything else, states, cancel
    and outputs, stays sapporo's."""
    python = executable.parent / "python"
    stock = subprocess.run(
        [str(python), "-c", "import pathlib, sapporo; print(pathlib.Path(sapporo.__file__).parent / 'run.sh')"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    script, replaced = re.subn(
        r"function run_cwltool\(\) \{\n.*?\n\}\n", _CWLTOOL_WITHOUT_DOCKER, Path(stock).read_text(), flags=re.S
    )
    if replaced != 1:
        raise RuntimeError(f"{stock} has no run_cwltool function to replace")
    target = folder / "run.sh"
    target.write_text(script)
    target.chmod(0o755)
    return target


def cwltool_environment(executable: Path, cancel_grace_seconds: int = 2) -> dict[str, str]:
    """What sapporo runs the script with: its venv's tools (cwltool, sapporo-cli) and jq on the PATH, and no
    `docker`, whose end-of-run report would otherwise try a daemon that is not there."""
    folders = [str(executable.parent)] + [
        folder for folder in ("/usr/bin", "/bin") if not (Path(folder) / "docker").exists()
    ]
    return {
        **{key: value for key, value in os.environ.items() if key not in ("PATH", "VIRTUAL_ENV")},
        "PATH": os.pathsep.join(folders),
        "SAPPORO_CANCEL_GRACE_SECONDS": str(cancel_grace_seconds),
    }
