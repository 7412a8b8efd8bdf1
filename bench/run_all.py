"""Run every benchmark in bench/: `make bench` (full, rewrites BENCHMARKS.md) or
`make bench-quick` (a smoke run: every benchmark runs on tiny inputs, nothing is
timed against a target and BENCHMARKS.md is left as it was).

Needs PostgreSQL: `BENCH_DATABASE_URL` (default
postgres://postgres@127.0.0.1:5432/bench_year) holds a year of sales for the
read benchmarks; when that database does not exist the full run creates and
fills it (migrate, load_demo, bench/gen_year.py, rollup_days: minutes). The
quick run builds a throw-away database with 2,000 sales and drops it. Both
connect as the administrator given in the URL and read as `DATABASE_ROLE`
(default southernpos_app), the role that cannot bypass row-level security.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BEGIN, END = "<!-- bench:machine:begin -->", "<!-- bench:machine:end -->"


def run(args: list[str], env: dict, label: str) -> float:
    print(f"== {label}: {' '.join(args)}", flush=True)
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True)
    elapsed = time.perf_counter() - started
    print(f"== {label}: {elapsed:.0f} s", flush=True)
    return elapsed


def psql(url: str, sql: str) -> str:
    parts = urlparse(url)
    admin = parts._replace(path="/postgres").geturl()
    result = subprocess.run(
        ["psql", admin, "-w", "-v", "ON_ERROR_STOP=1", "-qtAc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def database_exists(url: str) -> bool:
    name = urlparse(url).path.lstrip("/")
    return psql(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608 (name from our own URL)


def fill(url: str, env: dict, sales: int, tenants: int, tenant_sales: int) -> None:
    """Create the database of a year of sales: demo, generated sales, roll-ups."""
    name = urlparse(url).path.lstrip("/")
    psql(url, f'CREATE DATABASE "{name}" OWNER "{env["DATABASE_ROLE"]}"')
    # The set-up commands run as in development (the demo's signing key); the
    # benchmarks themselves switch DEBUG off.
    app = {**env, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], app, "migrate")
    run([PY, "manage.py", "load_demo"], app, "load_demo")
    run(
        [PY, "bench/gen_year.py", "--sales", str(sales), "--tenants", str(tenants)]
        + ["--tenant-sales", str(tenant_sales)],
        app,
        "gen_year",
    )
    run([PY, "manage.py", "rollup_days"], app, "rollup_days")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_year"
    )
    if not url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must point at PostgreSQL.")
    from cryptography.fernet import Fernet

    env = {
        # A key of its own for the demo's signing certificate, when none is set.
        "FISCAL_CERT_KEY": Fernet.generate_key().decode(),
        **os.environ,
        "DATABASE_ROLE": os.environ.get("DATABASE_ROLE", "southernpos_app"),
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
    }
    # A scratch database for the benchmarks that create their own test database.
    scratch = urlparse(url)._replace(path=f"/bench_scratch_{os.getpid()}").geturl()
    benchmarks = ROOT / "BENCHMARKS.md"
    before = benchmarks.read_text()
    started = time.perf_counter()
    year = url
    try:
        role = env["DATABASE_ROLE"]
        psql(url, f'CREATE DATABASE "{urlparse(scratch).path[1:]}" OWNER "{role}"')
        if args.quick:
            year = urlparse(url)._replace(path=f"/bench_quick_{os.getpid()}").geturl()
            fill(year, env, sales=2000, tenants=3, tenant_sales=20)
        elif not database_exists(url):
            # The shop measured is one business among 50 (issue 14).
            fill(url, env, sales=200_000, tenants=50, tenant_sales=2_000)
        small = args.quick
        # The read benchmarks run with DEBUG off: static files from a manifest.
        static = tempfile.mkdtemp(prefix="bench-static-")
        env["DJANGO_STATIC_ROOT"] = static
        run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            {**env, "DJANGO_DEBUG": "0", "DJANGO_INSECURE_HTTP": "1"},
            "collectstatic",
        )
        db = {**env, "DATABASE_URL": scratch}
        steps = [
            (
                "receipts",
                ["bench/bench_receipt.py", "--n", "5" if small else "300"],
                env,
            ),
            (
                "SRI XML + sign + validate",
                ["bench/bench_sri.py", "5" if small else "200"],
                env,
            ),
            ("10k import", ["bench/bench_import.py", "200" if small else "10000"], db),
            (
                "checkout",
                ["bench/bench_checkout.py"]
                + (["--sales", "5", "--rounds", "1"] if small else []),
                db,
            ),
            (
                "month close over 20,000 documents",
                ["bench/bench_close.py"]
                + (["--documents", "500", "--runs", "1"] if small else ["--write"]),
                db,
            ),
            (
                "POS page, 20k products",
                ["bench/bench_pos_page.py"]
                + (["--products", "200", "--runs", "1"] if small else ["--write"]),
                db,
            ),
            (
                "reads over a year",
                ["bench/bench_reads.py", "--runs", "1" if small else "5"]
                + ([] if small else ["--write"]),
                {**env, "DATABASE_URL": year},
            ),
            (
                "dashboard and reports over a year",
                ["bench/bench_dashboard.py", "--runs", "1" if small else "20"]
                + ([] if small else ["--write"]),
                {**env, "DATABASE_URL": year},
            ),
        ]
        timings = [(label, run([PY, *cmd], e, label)) for label, cmd, e in steps]
    finally:
        shutil.rmtree(env.get("DJANGO_STATIC_ROOT", "/nonexistent"), ignore_errors=True)
        if args.quick:
            benchmarks.write_text(before)  # a smoke run never rewrites figures
            psql(
                year,
                f'DROP DATABASE IF EXISTS "{urlparse(year).path[1:]}" WITH (FORCE)',
            )
        psql(
            url, f'DROP DATABASE IF EXISTS "{urlparse(scratch).path[1:]}" WITH (FORCE)'
        )
    total = time.perf_counter() - started
    print(f"== all benchmarks ran in {total:.0f} s", flush=True)
    if not args.quick:
        write_machine(timings, total)


def write_machine(timings, total) -> None:
    uname = platform.uname()
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    lines = [
        "## Last full run (`make bench`)",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {uname.node}: "
        f"{cpu}, {os.cpu_count()} cores, {uname.system} {uname.release}, "
        f"Python {platform.python_version()}. Command: `make bench` "
        f"(`python bench/run_all.py`), {total / 60:.1f} min in all.",
        "",
        "| benchmark | wall time |",
        "|---|---|",
        *[f"| {label} | {seconds:.0f} s |" for label, seconds in timings],
    ]
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    block = f"{BEGIN}\n" + "\n".join(lines) + f"\n{END}"
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        head, rest = text.split("\n", 1)  # right under the title
        text = f"{head}\n\n{block}\n{rest}"
    path.write_text(text)


if __name__ == "__main__":
    main()
