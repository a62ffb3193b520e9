#!/usr/bin/env python3
"""Side-by-side benchmark of corbel against the tools a user would pick instead.

Fetches a pinned corpus of real code from the package registries into a scratch folder,
installs the peer tools there, then times every tool on the same files, several runs
interleaved, and prints median wall time, CPU time and peak RSS per tool with corbel's
ratio to each, plus files/s and MB/s.

    python3 bench/run.py                 # the comparison table
    python3 bench/run.py --scale         # corbel on 1x, 2x and 4x copies of the corpus
    python3 bench/run.py --runs 7 --corpus python

Nothing here is committed but this script and the semgrep rule file: the corpus, the
tool installs and the copies live under --work (default: ~/.cache/corbel-bench).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Pinned so runs compare like with like. Python wheels are pure-Python except
# SQLAlchemy's, whose platform wheel still holds all of its Python sources.
CORPUS = {
    "python": [
        ("pypi", "apache-superset", "6.1.0"),
        ("pypi", "label-studio", "1.23.2"),
        ("pypi", "Django", "5.2.19"),
        ("pypi", "SQLAlchemy", "2.1.9"),
    ],
    "js": [
        ("npm", "ghost", "5.130.6"),
        ("npm", "@directus/api", "23.3.2"),
        ("npm", "typeorm", "1.1.1"),
        ("npm", "@nestjs/core", "12.5.1"),
    ],
}

PY_TOOLS = ["ruff==0.17.6", "bandit==1.9.4", "semgrep==1.182.0"]
NPM_TOOLS = ["oxlint@1.94.0"]

PY_EXTENSIONS = {".py", ".pyi"}
JS_EXTENSIONS = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_quiet(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: `{' '.join(command)}` failed:\n{result.stdout[-2000:]}")


# --------------------------------------------------------------------------- corpus


def fetch_corpus(work: Path, language: str) -> Path:
    """Downloads and unpacks the pinned packages; returns the corpus directory."""
    target = work / "corpus" / language
    marker = target / ".complete"
    if marker.exists():
        return target
    downloads = work / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for registry, name, version in CORPUS[language]:
        log(f"fetching {name} {version}")
        folder = target / name.replace("@", "").replace("/", "-")
        if registry == "pypi":
            run_quiet([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                       f"{name}=={version}", "-d", str(downloads)])
            normalized = name.replace("-", "_").lower()
            wheel = next(p for p in downloads.glob("*.whl") if p.name.lower().startswith(f"{normalized}-{version}"))
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(folder)
        else:
            output = subprocess.run(["npm", "pack", f"{name}@{version}", "--json"], cwd=downloads,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
            filename = json.loads(output.stdout)[0]["filename"]
            with tarfile.open(downloads / filename) as archive:
                archive.extractall(folder, filter="data")
        # Published packages keep their code in `dist/`, which corbel skips as build
        # output in a repository; rename it so every tool sees the same files.
        for dist in sorted(folder.rglob("dist"), reverse=True):
            if dist.is_dir() and "node_modules" not in dist.parts:
                dist.rename(dist.with_name("dist_src"))
    marker.write_text("ok\n")
    return target


def corpus_size(root: Path, extensions: set[str]) -> tuple[int, int]:
    files = 0
    size = 0
    for path in root.rglob("*"):
        if path.suffix in extensions and path.is_file() and "node_modules" not in path.parts:
            files += 1
            size += path.stat().st_size
    return files, size


# ---------------------------------------------------------------------------- tools


def install_tools(work: Path) -> dict[str, Path]:
    venv = work / "venv"
    if not (venv / "bin" / "python").exists():
        log("installing ruff, bandit and semgrep into a venv")
        run_quiet([sys.executable, "-m", "venv", str(venv)])
    run_quiet([str(venv / "bin" / "pip"), "install", "--quiet", *PY_TOOLS])
    npm_dir = work / "npm-tools"
    npm_dir.mkdir(parents=True, exist_ok=True)
    if not (npm_dir / "node_modules" / ".bin" / "oxlint").exists():
        log("installing oxlint")
        run_quiet(["npm", "install", "--silent", "--no-audit", "--no-fund", *NPM_TOOLS], cwd=npm_dir)
    log("building corbel (release)")
    run_quiet(["cargo", "build", "--release", "--quiet", "-p", "corbel_cli"], cwd=REPO)
    return {
        "corbel": REPO / "target" / "release" / "corbel",
        "ruff": venv / "bin" / "ruff",
        "bandit": venv / "bin" / "bandit",
        "semgrep": venv / "bin" / "semgrep",
        "oxlint": npm_dir / "node_modules" / ".bin" / "oxlint",
    }


def version_of(binary: Path) -> str:
    try:
        out = subprocess.run([str(binary), "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=120).stdout.strip().splitlines()
        return out[-1] if out else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def commands(tools: dict[str, Path], language: str, corpus: Path, work: Path) -> dict[str, list[str]]:
    """Each tool's command on the corpus, with caches off where a tool has one."""
    corbel = [str(tools["corbel"]), "check", str(corpus), "--no-config", "--format", "concise", "--exit-zero"]
    # Cold: no result cache. Warm: a cache primed by an earlier run of the same files.
    result = {
        "corbel (cold)": corbel + ["--no-cache"],
        "corbel (warm)": corbel + ["--cache-dir", str(work / "corbel-cache")],
    }
    if language == "python":
        ruff = [str(tools["ruff"]), "check", "--isolated", "--select", "S", "--exit-zero", "--quiet"]
        result["ruff check --select S (cold)"] = ruff + ["--no-cache", str(corpus)]
        result["ruff check --select S (warm)"] = ruff + ["--cache-dir", str(work / "ruff-cache"), str(corpus)]
        result["bandit"] = [str(tools["bandit"]), "-q", "-r", "-t", "B113,B608,B105,B106,B324", "-f", "txt",
                            str(corpus)]
    else:
        result["oxlint"] = [str(tools["oxlint"]), "--quiet", str(corpus)]
    result["semgrep"] = [str(tools["semgrep"]), "scan", "--config", str(REPO / "bench" / "semgrep-rules.yml"),
                         "--metrics=off", "--disable-version-check", "--quiet", "--no-git-ignore",
                         "--jobs", str(os.cpu_count() or 2), str(corpus)]
    return result


# -------------------------------------------------------------------------- measure


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)


def measure(command: list[str], timeout: float) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, children included) and peak RSS in MB."""
    env = dict(os.environ, NO_COLOR="1", SEMGREP_SEND_METRICS="off")
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.002)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if command[1:2] == ["check"] and code not in (0, 1):  # corbel's own failure
        sys.exit(f"bench: corbel failed (exit {code}): {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def bench(language: str, work: Path, tools: dict[str, Path], runs: int, slow_runs: int) -> None:
    corpus = fetch_corpus(work, language)
    extensions = PY_EXTENSIONS if language == "python" else JS_EXTENSIONS
    files, size = corpus_size(corpus, extensions)
    cmds = commands(tools, language, corpus, work)
    if slow_runs == 0:
        cmds = {name: cmd for name, cmd in cmds.items() if name not in ("semgrep", "bandit")}
    for name, command in cmds.items():
        if name.endswith("(warm)"):
            measure(command, timeout=1800)  # prime the cache
    samples = {name: Samples() for name in cmds}
    slow = {"semgrep", "bandit"}
    log(f"\n{language}: {files} files, {size / 1e6:.1f} MB; {runs} interleaved runs "
        f"({slow_runs} for semgrep and bandit)")
    for index in range(runs):
        for name, command in cmds.items():
            if name in slow and index >= slow_runs:
                continue
            wall, cpu, rss = measure(command, timeout=1800)
            s = samples[name]
            s.wall.append(wall)
            s.cpu.append(cpu)
            s.rss_mb.append(rss)
            log(f"  run {index + 1}: {name:<24} {wall:8.3f} s")
    corbel_wall = statistics.median(samples["corbel (cold)"].wall)
    print(f"\n### {language} corpus: {files} files, {size / 1e6:.1f} MB\n")
    print("| tool | median wall | median CPU | peak RSS | corbel cold / tool (wall) | files/s | MB/s |")
    print("|---|---|---|---|---|---|---|")
    for name, s in samples.items():
        wall = statistics.median(s.wall)
        cpu = statistics.median(s.cpu)
        ratio = corbel_wall / wall if wall else float("nan")
        print(f"| {name} | {wall:.3f} s | {cpu:.3f} s | {max(s.rss_mb):.0f} MB | {ratio:.2f}x | "
              f"{files / wall:,.0f} | {size / 1e6 / wall:.1f} |")


def scale(language: str, work: Path, tools: dict[str, Path], runs: int) -> None:
    """corbel on 1x, 2x and 4x copies of the corpus: cost should grow linearly."""
    corpus = fetch_corpus(work, language)
    print(f"\n### corbel scaling, {language} corpus\n")
    print("| copies | files | median wall | per 1x |")
    print("|---|---|---|---|")
    base = None
    for copies in (1, 2, 4):
        root = work / "scaled" / language / f"x{copies}"
        if not root.exists():
            root.mkdir(parents=True)
            for index in range(copies):
                shutil.copytree(corpus, root / f"copy{index}", symlinks=True)
        files, _ = corpus_size(root, PY_EXTENSIONS if language == "python" else JS_EXTENSIONS)
        command = [str(tools["corbel"]), "check", str(root), "--no-config", "--format", "concise", "--exit-zero",
                   "--no-cache"]
        walls = [measure(command, timeout=1800)[0] for _ in range(runs)]
        wall = statistics.median(walls)
        base = base or wall
        print(f"| {copies}x | {files} | {wall:.3f} s | {wall / base / copies:.2f} |")


def per_package(language: str, work: Path, tools: dict[str, Path], runs: int) -> None:
    """corbel cold against the same-language peer on each package of the corpus alone:
    an application costs corbel less than a database library full of SQL calls."""
    corpus = fetch_corpus(work, language)
    peer = "ruff check --select S (cold)" if language == "python" else "oxlint"
    print(f"\n### per package, {language} corpus (median of {runs}, cold)\n")
    print(f"| package | files | corbel | {peer.split(' (')[0]} | ratio |")
    print("|---|---|---|---|---|")
    for package in sorted(p for p in corpus.iterdir() if p.is_dir()):
        cmds = commands(tools, language, package, work)
        pair = [cmds["corbel (cold)"], cmds[peer]]
        walls: list[list[float]] = [[], []]
        for _ in range(runs):
            for index, command in enumerate(pair):
                walls[index].append(measure(command, timeout=1800)[0])
        files, _ = corpus_size(package, PY_EXTENSIONS if language == "python" else JS_EXTENSIONS)
        ours, theirs = (statistics.median(w) for w in walls)
        print(f"| {package.name} | {files} | {ours:.3f} s | {theirs:.3f} s | {ours / theirs:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # Outside the repository: corbel honours .gitignore, and target/ is ignored.
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "corbel-bench",
                        help="scratch folder (outside any git work tree)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs per fast tool")
    parser.add_argument("--slow-runs", type=int, default=2, help="runs for semgrep and bandit")
    parser.add_argument("--corpus", choices=["python", "js", "both"], default="both")
    parser.add_argument("--scale", action="store_true", help="time corbel on 1x, 2x and 4x copies")
    parser.add_argument("--per-package", action="store_true",
                        help="time corbel and ruff/oxlint on each package of the corpus alone")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    tools = install_tools(args.work)
    languages = ["python", "js"] if args.corpus == "both" else [args.corpus]
    print(f"Machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    print("Versions: " + "; ".join(f"{name} {version_of(path)}" for name, path in tools.items()))
    for language in languages:
        if args.scale:
            scale(language, args.work, tools, args.runs)
        elif args.per_package:
            per_package(language, args.work, tools, args.runs)
        else:
            bench(language, args.work, tools, args.runs, args.slow_runs)


if __name__ == "__main__":
    main()
