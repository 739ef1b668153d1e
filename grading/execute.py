"""nbgrader's Execute step, run in a bubblewrap sandbox with limits and trusted verdicts.

`SandboxExecute` replaces nbgrader's `Execute` preprocessor in autograde (nbgrader_config.py).
For each notebook it

* copies the notebook's directory (this one submission plus the released files) to a fresh
  scratch directory and starts the kernel in a sandbox (grading/sandbox.py) on `ipc` sockets;
* caps outputs (bytes per output and per notebook, with a visible note where cut), the time
  of each cell and of the whole notebook;
* restarts a kernel that no longer answers after a timed-out cell (one that ignores SIGINT)
  and replays the cells before it, so only that cell is lost;
* runs each graded test cell that has a check in grading/<assignment>.py as a probe and
  replaces its outputs by the verdict of the trusted check (grading/verdicts.py).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from . import sandbox, verdicts


class SandboxKernelManager(AsyncKernelManager):
    """Starts ipykernel inside bwrap; channels are ipc sockets in a bound directory."""

    workdir = Unicode("")
    conndir = Unicode("")
    unsafe = Bool(False)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        # what the kernel prints outside cells is the student's, not the grader's console's
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def format_kernel_cmd(self, extra_arguments=None):
        # Interrupts go as a control message: the kernel is in its own session, out of reach
        # of a signal sent to bwrap's process group.
        self.kernel_spec.interrupt_mode = "message"
        kernel = [sandbox.python(), "-m", "ipykernel_launcher", "-f", self.connection_file]
        kernel += list(extra_arguments or [])
        if self.unsafe:
            return kernel
        # written by now (0600, root's): the kernel runs as nobody and must read it
        sandbox.give(self.connection_file)
        return sandbox.bwrap_argv(self.workdir, self.conndir) + kernel


class SandboxExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel, output caps, a notebook clock and verdicts."""

    unsafe_no_sandbox = Bool(False, help="run student code WITHOUT the sandbox (trusted code only)").tag(config=True)
    notebook_timeout = Integer(600, help="wall-clock seconds for the whole notebook").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="bytes of one output kept").tag(config=True)
    max_notebook_output_bytes = Integer(5_000_000, help="bytes of all outputs kept").tag(config=True)
    seed_secret = Unicode("", help="course secret from which each student's grading seed is derived").tag(config=True)
    seed_secret_file = Unicode("", help="file holding the course secret, made on first use; "
                               "read when seed_secret is not given").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._scratch = tempfile.mkdtemp(prefix="ffnn-grade-")
        os.chmod(self._scratch, 0o755)
        self._workdir = os.path.join(self._scratch, "work")
        self._conndir = os.path.join(self._scratch, "conn")
        self._copy_released(resources, self._workdir)
        os.mkdir(self._conndir)
        for d in (self._workdir, self._conndir):
            for base, dirs, files in os.walk(d):
                for name in [base] + [os.path.join(base, f) for f in dirs + files]:
                    sandbox.give(name)
        self._deadline = time.monotonic() + self.notebook_timeout
        self._output_total = 0
        self._ran = []  # sources of the cells run so far, replayed after a kernel restart
        info = resources.get("nbgrader", {})
        secret = self.seed_secret
        if not secret and self.seed_secret_file:  # nbgrader or the formgrader, not make grade
            secret = verdicts.course_secret(self.seed_secret_file)
        if not secret:
            raise ValueError("SandboxExecute needs seed_secret or seed_secret_file: without a secret "
                             "every student's grading points could be computed in advance")
        self._verdicts = verdicts.Session(info.get("assignment", ""), info.get("student", ""),
                                          secret, nb)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)

    @staticmethod
    def _copy_released(resources, dest):
        """Copy the notebook's own directory (one submission + released files), no symlinks."""
        src = (resources or {}).get("metadata", {}).get("path") or "."
        shutil.copytree(src, dest, symlinks=True, ignore=lambda d, names: [n for n in names if os.path.islink(os.path.join(d, n))])

    def create_kernel_manager(self):
        self.km = SandboxKernelManager(kernel_name=self.kernel_name or "python3", config=self.config,
                                       workdir=self._workdir, conndir=self._conndir,
                                       unsafe=self.unsafe_no_sandbox, transport="ipc",
                                       ip=os.path.join(self._conndir, "kernel"),
                                       connection_file=os.path.join(self._conndir, "kernel.json"))
        return self.km

    async def async_start_new_kernel(self, **kwargs):
        kwargs["cwd"] = self._workdir
        await super().async_start_new_kernel(**kwargs)

    # -- time -------------------------------------------------------------------------------
    def _cell_timeout(self, cell):
        left = self._deadline - time.monotonic()
        return max(1, int(min(self.timeout or left, left)))

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if time.monotonic() >= self._deadline:
            cell.outputs = [verdicts.error_output(
                "NotebookTimeout", f"not run: the notebook used up its {self.notebook_timeout} s")]
            return cell, resources
        self.timeout_func = self._cell_timeout
        check = self._verdicts.probe_for(cell)
        original = cell.source
        if check is not None:
            cell.source = check.source
        died = False
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            died = True
        except CellTimeoutError:  # no output came after the interrupt: a kernel ignoring SIGINT
            cell.outputs.append(verdicts.error_output("CellTimeoutError", "the cell did not finish in time"))
        finally:
            cell.source = original
        timed_out = any(o.output_type == "error" and o.get("ename") == "CellTimeoutError" for o in cell.outputs)
        if died:
            cell.outputs.append(verdicts.error_output("DeadKernelError", "this cell ended the kernel"))
            self._restart_and_replay()
            cell.outputs.append(verdicts.stream_note(
                "The kernel died: it was restarted and the cells before this one run again."))
        elif timed_out and not self._responsive():
            self._restart_and_replay()
            cell.outputs.append(verdicts.stream_note(
                "The kernel ignored the interrupt: it was restarted and the cells before this one run again."))
        elif not timed_out:
            self._ran.append(check.source if check else cell.source)
        if check is not None:
            self._verdicts.judge(check, cell)
        elif cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            verdicts.hide_tests(cell)
        return cell, resources

    def _responsive(self) -> bool:
        from jupyter_core.utils import run_sync

        async def ping():
            await self.kc.execute_interactive("pass", store_history=False, timeout=5,
                                              output_hook=lambda msg: None)
        try:
            run_sync(ping)()
            return True
        except Exception:  # TimeoutError: still busy in the cell that ignored SIGINT
            return False

    def _restart_and_replay(self):
        from jupyter_core.utils import run_sync

        async def restart():
            try:
                self.kc.stop_channels()
                await ensure_async(self.km.shutdown_kernel(now=True))
            except Exception:  # already dead
                pass
            self.create_kernel_manager()
            await self.async_start_new_kernel()
            await self.async_start_new_kernel_client()
            for source in self._ran:
                left = self._deadline - time.monotonic()
                if left <= 1:
                    break
                await self.kc.execute_interactive(source, output_hook=lambda msg: None,
                                                  timeout=min(self.timeout or left, left))
        run_sync(restart)()

    # -- output caps ------------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        if size > self.max_output_bytes or self._output_total + size > self.max_notebook_output_bytes:
            limit = (f"{self.max_output_bytes} bytes per output" if size > self.max_output_bytes
                     else f"{self.max_notebook_output_bytes} bytes per notebook")
            note = f"[output of {size} bytes removed by the grader: the limit is {limit}]\n"
            if not any(o.get("text") == note for o in outs):
                outs.append(verdicts.stream_note(note.rstrip("\n")))
            return None
        self._output_total += size
        return super().output(outs, msg, display_id, cell_index)
