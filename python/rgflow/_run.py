"""Finding the rgflow binary and running it."""

import os
import shutil
import signal
import subprocess
import sys
import threading

__all__ = ["RgflowError", "UntrustedWarning", "Result", "binary", "run"]

# rgflow's exit codes (README, "Exit codes").
EXIT_UNTRUSTED = 3


class RgflowError(Exception):
    """rgflow ended with a non-zero exit code (other than 3, see
    UntrustedWarning). str(err) is rgflow's own message; .exit_code,
    .command and .stderr say more, and .result holds what the command
    wrote anyway (bench: the tables of a suite with a failed run), or None."""

    def __init__(self, message, exit_code, command, stderr="", result=None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.command = command
        self.stderr = stderr
        self.result = result


class UntrustedWarning(UserWarning):
    """rgflow train completed and wrote its results, but its verdict says
    the estimate is not to be trusted (exit code 3): the result is returned
    all the same, with .trusted False, and this warning quotes the
    verdict."""


class Result(dict):
    """rgflow's JSON answer as a dict, with what the run said besides:

    - .tables: dict of pandas DataFrames (which ones, each command says);
    - .exit_code (0, or 3 for an untrusted training), .trusted (bool);
    - .stdout, .stderr: rgflow's text output;
    - .dir: where a bench suite wrote its results (None otherwise).
    """

    def __init__(self, data=None, *, tables=None, exit_code=0, stdout="", stderr="", dir=None):
        super().__init__(data or {})
        self._tables = tables  # a function that makes them, called once, so that pandas is needed only for them
        self.exit_code = exit_code
        self.trusted = exit_code != EXIT_UNTRUSTED
        self.stdout = stdout
        self.stderr = stderr
        self.dir = dir

    @property
    def tables(self):
        if callable(self._tables):
            self._tables = self._tables()
        return self._tables or {}


def binary():
    """The rgflow executable: $RGFLOW_BIN if set, else bin/rgflow of the
    repository this package sits in (make build puts it there), else
    rgflow on PATH."""
    env = os.environ.get("RGFLOW_BIN")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise FileNotFoundError(f"RGFLOW_BIN={env} is not an executable file")
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    repo_bin = os.path.join(here, os.pardir, os.pardir, "bin", "rgflow")
    if os.path.isfile(repo_bin) and os.access(repo_bin, os.X_OK):
        return os.path.normpath(repo_bin)
    found = shutil.which("rgflow")
    if found:
        return found
    raise FileNotFoundError(
        "no rgflow binary: set RGFLOW_BIN, run `make build` in the repository "
        f"({os.path.normpath(os.path.join(here, os.pardir, os.pardir))}), or put rgflow on PATH")


def run(args, *, progress=False, ok=(0,)):
    """Run rgflow with args in the current directory. Returns (exit code,
    stdout, stderr) for an exit code in ok; any other raises RgflowError
    with rgflow's message. With progress, rgflow's stderr (its progress
    lines) is copied to sys.stderr as it comes.

    Ctrl-C (KeyboardInterrupt) is passed on to rgflow as SIGINT, so that a
    training saves its checkpoint; then the KeyboardInterrupt goes on."""
    cmd = [binary()] + [str(a) for a in args]
    err_lines = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          text=True, encoding="utf-8", errors="replace") as proc:

        def pump():
            for line in proc.stderr:
                err_lines.append(line)
                if progress:
                    sys.stderr.write(line)
                    sys.stderr.flush()

        t = threading.Thread(target=pump, daemon=True)
        t.start()
        try:
            out = proc.stdout.read()
            proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        t.join()
    err = "".join(err_lines)
    if proc.returncode not in ok:
        raise RgflowError(_message(err, proc.returncode), proc.returncode, cmd, err)
    return proc.returncode, out, err


def _message(stderr, code):
    """rgflow's one-sentence error: its last non-empty line of stderr."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if lines:
        return lines[-1]
    if code < 0:
        return f"rgflow was killed by signal {-code}"
    return f"rgflow exited with code {code} and said nothing"
