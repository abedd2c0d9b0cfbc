"""Ctrl-C reaches the whole process group; with worker processes running, only we answer it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys, time
    from certledger.cli.interrupts import only_here

    def work():
        time.sleep(1.5)

    if __name__ == "__main__":
        with only_here():
            worker = multiprocessing.get_context("spawn").Process(target=work)
            worker.start()
            time.sleep(0.5)
            os.killpg(0, signal.SIGINT)  # as the terminal does: everyone in the group
            try:
                time.sleep(5)
                print("not interrupted")
            except KeyboardInterrupt:
                print("interrupted")
        worker.join()
        print("worker exit", worker.exitcode)
    """
)


def test_ctrl_c_interrupts_us_and_not_the_workers(tmp_path) -> None:
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          start_new_session=True)
    assert done.stdout.split("\n")[:2] == ["interrupted", "worker exit 0"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
