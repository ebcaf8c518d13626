#!/usr/bin/env python3
"""Benchmark `counterpoint build` on a generated project of N essays (stdlib only; see README.md)."""

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOUN = """government ministry delegation negotiation market alliance coalition economy treaty crisis
conflict budget parliament industry supplier tariff sanction diplomat leadership election reform
agreement proposal principle interest position narrative statement commitment dispute pressure
response border region partner neighbour investment currency export energy security capital
technology standard vaccine pipeline port railway harbour shipment factory farmer bank court
ruling report study survey archive memory history generation audience press minister envoy""".split()
ADJ = """recent cautious difficult limited broad uneven fragile durable costly domestic foreign
public private early late modest sharp gradual open quiet formal informal careful unusual familiar
ambitious pragmatic narrow wider deeper older younger local national global political economic""".split()
VERB = """shapes undermines reflects requires limits strengthens complicates supports weakens explains
reveals frames defines favours restrains accelerates postpones reshapes tests exposes sustains
obscures informs anchors constrains invites outlines revisits clarifies echoes""".split()
PREP = "within against beyond across among after before despite under around".split()
DET = "the the the a this that every each".split()
CONN = [
    "However",
    "In practice",
    "At the same time",
    "For this reason",
    "Even so",
    "Moreover",
    "In other words",
    "By contrast",
    "Seen from outside",
    "Above all",
]
JOIN = ["while", "and", "because", "although", "whereas", "so that", "even as"]
DOCS = ["report", "memorandum", "hearing", "communique", "white paper", "review", "survey"]
SYL = "ka lo mi ru te va no si de pa ri zu be go la fe ti mo sa ne".split()  # 20 syllables
GADJ = """maritime strategic multilateral bilateral nuclear digital green collective regional sovereign
transatlantic continental humanitarian monetary fiscal orbital arctic technological civilian normative""".split()
GNOUN = """doctrine regime corridor dialogue mechanism partnership initiative compact accord council
charter agenda architecture format clause mandate pillar track safeguard caucus""".split()
FIRST = "Anna Li Wei Marta Jonas Elena Chen Amara Pierre Sofia Ravi Ingrid Tomas Mei Lukas Nadia".split()
LAST = "Novak Zhang Keller Rossi Okafor Lindqvist Moreau Tanaka Silva Hartmann Wu Costa Brandt Ivanova".split()
AFFIL = [
    "Senior Fellow, Institute for Policy Studies",
    "Professor of International Relations",
    "Director, Centre for Regional Security",
    "Research Associate, Global Affairs Council",
]
OUTLETS = ["The Policy Review", "Global Affairs Quarterly", "Regional Security Brief", "Daily Observer"]
PERSPECTIVES = [("east", "East", "#b3261e"), ("west", "West", "#1d4ed8"), ("south", "South", "#15803d")]
RELATIONS = ["rebuts", "supports", "qualifies", "contextualises", "same-event"]
assert not set(GADJ + GNOUN) & set(NOUN + ADJ + VERB + PREP), "glossary words must not be filler"
GENERATED = {"site.toml", "content", "annotations"}  # everything else in the project is a cache


def token(n):
    """A unique capitalised nonsense word for the n-th (essay, paragraph): makes quotes unique."""
    n = n * 7919 % len(SYL) ** 5  # a bijection that scrambles neighbouring numbers
    return "".join(SYL[n // len(SYL) ** k % len(SYL)] for k in range(5)).capitalize()


def np_(r):
    w = [r.choice(DET)] + ([r.choice(ADJ)] if r.random() < 0.5 else []) + [r.choice(NOUN)]
    return w + ([r.choice(PREP), "the", r.choice(NOUN)] if r.random() < 0.3 else [])


def sentence(r, n, phrase=None, tok=None):
    """A list of items (words, or a multi-word glossary phrase / token clause) without final '.'."""
    items = [r.choice(CONN) + ","] if r.random() < 0.25 else []
    while sum(len(i.split()) for i in items) < n:
        if len(items) > 2:
            items[-1] += ","
            items.append(r.choice(JOIN))
        items += np_(r) + [r.choice(VERB)] + np_(r)
        if phrase and r.random() < 0.5:
            items += [r.choice(PREP), "the", phrase]
            phrase = None
    if phrase:
        items += [r.choice(PREP), "the", phrase]
    if tok and r.random() < 0.5:
        items[-1] += ","
        items += f"as the {tok} {r.choice(DOCS)} noted".split()
    elif tok:
        items = f"according to the {tok} {r.choice(DOCS)},".split() + items
    items = [("an" if w == "a" and nxt[0] in "aeiou" else w) for w, nxt in zip(items, items[1:] + ["."])]
    items[0] = items[0][0].upper() + items[0][1:]
    return items


def render(r, items, markup=True):
    words = list(items)
    plain = [i for i, w in enumerate(words) if i and w.isalpha()]
    if markup and plain and r.random() < 0.12:
        i = r.choice(plain)
        words[i] = f"*{words[i]}*"
    elif markup and len(plain) > 3 and r.random() < 0.08:
        i = r.choice(plain[:-2])
        if words[i + 1].isalpha() and words[i + 2].isalpha():
            words[i : i + 3] = [f"[{' '.join(words[i : i + 3])}](https://example.org/ref/{r.randint(1, 9999)})"]
    return " ".join(words)


def title(r, words=(2, 4)):
    w = [r.choice(ADJ if k % 2 == 0 else NOUN) for k in range(r.randint(*words))]
    return r.choice(["The", "Beyond the", "Why the", "Rethinking the"]) + " " + " ".join(x.capitalize() for x in w)


def make_essay(r, i, phrases, target):
    """Return (markdown body, anchors, words); anchors[k] = (anchor sentence, its paragraph)."""
    blocks, words, heads = [], 0, set()  # ("raw", md) or ("p", [(items, special)], anchor index)
    while words < target - 450:  # leave room for ~30 footnotes of ~15 words
        if blocks and r.random() < 0.18 and (h := title(r)) not in heads:
            heads.add(h)
            blocks.append(("raw", "## " + h))
        kind = r.random()
        if blocks and kind < 0.07:
            items = [render(r, sentence(r, r.randint(6, 12))) + "." for _ in range(r.randint(3, 5))]
            mark = ["- "] * 5 if r.random() < 0.6 else [f"{k}. " for k in range(1, 6)]
            blocks.append(("raw", "\n".join(m + t for m, t in zip(mark, items))))
        elif blocks and kind < 0.12:
            q = " ".join(render(r, sentence(r, r.randint(12, 24))) + "." for _ in range(r.randint(1, 2)))
            blocks.append(("raw", f"> {q}\n>\n> — {r.choice(FIRST)} {r.choice(LAST)}"))
        else:  # a paragraph of 60-150 words; one sentence carries the paragraph's token
            tok = token(i * 64 + sum(b[0] == "p" for b in blocks))
            want, sents, at = r.randint(60, 130), [], r.randint(0, 2)
            while sum(len(x.split()) for s, _ in sents for x in s) < want or len(sents) <= at:
                ph = next(phrases) if r.random() < 0.3 else None
                sents.append(
                    (
                        sentence(r, r.randint(12, 26), ph, tok if len(sents) == at else None),
                        ph is not None or len(sents) == at,
                    )
                )  # special: no markup, no footnote
            blocks.append(("p", sents, at))
        words += (
            len(blocks[-1][1].split())
            if blocks[-1][0] == "raw"
            else sum(len(x.split()) for s, _ in blocks[-1][1] for x in s)
        )
    slots = [(b, k) for b, bl in enumerate(blocks) if bl[0] == "p" for k, s in enumerate(bl[1]) if not s[1]]
    with_fn = set(r.sample(slots, min(r.randint(20, 40), len(slots))))
    out, anchors, fn = [], [], 0
    for b, bl in enumerate(blocks):
        if bl[0] == "raw":
            out.append(bl[1])
            continue
        texts = []
        for k, (items, special) in enumerate(bl[1]):
            texts.append((" ".join(items) if special else render(r, items)) + ".")
            if (b, k) in with_fn:
                fn += 1
                texts[-1] += f"[^{fn}]"
        out.append(" ".join(texts))
        anchors.append((texts[bl[2]], out[-1]))
    for n in range(1, fn + 1):
        src = f" Available at [example.org](https://example.org/source/{i}-{n})." if n % 3 == 0 else ""
        out.append(
            f"[^{n}]: {r.choice(FIRST)} {r.choice(LAST)}, *{title(r)}* ({r.choice(OUTLETS)},"
            f" {r.randint(1990, 2024)}), p. {r.randint(1, 400)}.{src}"
        )
    body = "\n\n".join(out) + "\n"
    return body, anchors, len(body.split())


q = json.dumps  # a double-quoted YAML scalar


def block(text, indent):
    return "|\n" + "".join(" " * indent + line + "\n" for line in text.strip().splitlines())


def quote_of(r, anchor):
    """6-14 words of the anchor sentence around its token: matches exactly once in the essay."""
    w = anchor.split()
    t = next(k for k, x in enumerate(w) if x[:1].isupper() and len(x) >= 10 and x[1:].islower() and k)
    return " ".join(w[max(0, t - r.randint(3, 8)) : t + r.randint(3, 7)])


def prose(r, n):
    return " ".join(render(r, sentence(r, r.randint(10, 20))) + "." for _ in range(n))


def generate(root, n_essays, n_terms, seed):
    """Write the project; return stats and, per essay, its slug and free (unannotated) anchors."""
    r = random.Random(seed)
    toml = root / "site.toml"
    if root.exists() and any(root.iterdir()):  # never wipe a folder this script did not make
        if not (toml.is_file() and toml.read_text().startswith('title = "Counterpoint benchmark (')):
            sys.exit(f"{root} is not empty and not a generated benchmark project; choose another --project-dir")
        shutil.rmtree(root)
    for d in ("content", "annotations/notes", "annotations/links"):
        (root / d).mkdir(parents=True)
    persp = "".join(
        f'\n[perspectives.{k}]\nlabel = "{lab}"\ncolour = "{c}"\ndescription = "Authors writing from the {k}."\n'
        for k, lab, c in PERSPECTIVES
    )
    (root / "site.toml").write_text(
        f'title = "Counterpoint benchmark ({n_essays} essays)"\nlanguage = "en"\n'
        f'description = "A synthetic corpus made by benchmarks/bench_build.py."\n{persp}'
    )
    n_terms = min(n_terms, len(GADJ) * len(GNOUN), max(5, 10 * n_essays))
    pairs = r.sample([(a, b) for a in GADJ for b in GNOUN], n_terms)
    plural = lambda n: n[:-1] + "ies" if n.endswith("y") else n + "es" if n.endswith(("s", "h")) else n + "s"
    phr = [p for a, b in pairs for p in (f"{a} {b}", f"{a} {plural(b)}")]
    phrases = (phr[k % len(phr)] for k in range(10**9))  # round-robin: every phrase gets used
    slugs = [f"essay-{i:05d}" for i in range(n_essays)]
    debate = {i: f"debate-{i // 2:05d}" for i in range(n_essays - n_essays % 2)}
    stats, essays = dict(words=0, notes=0, links=0, terms=n_terms, debates=len(debate) // 2), []
    for i, slug in enumerate(slugs):
        body, anchors, words = make_essay(r, i, phrases, int(2500 * r.uniform(0.9, 1.1)))
        stats["words"] += words
        authors = "".join(
            f"  - name: {r.choice(FIRST)} {r.choice(LAST)}\n    affiliation: {q(r.choice(AFFIL))}\n"
            for _ in range(r.randint(1, 2))
        )
        fm = (
            f"---\ntitle: {q(title(r, (3, 5)))}\nkind: essay\nauthors:\n{authors}"
            f"perspective: {PERSPECTIVES[i % 3][0]}\noutlet: {q(r.choice(OUTLETS))}\n"
            f"date: {r.randint(2015, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}\n"
            f'source: "synthetic:{seed}:{i}"\ndebates: [{debate.get(i, "")}]\n---\n\n'
        )
        (root / "content" / f"{slug}.md").write_text(fm + body)
        order = r.sample(range(len(anchors)), len(anchors))  # 5 notes, 3 outgoing, 3 incoming, rest free
        pick = lambda k, a=anchors, o=order: a[o[k % len(o)]][0]
        notes = "".join(
            f"  - id: n{k + 1}\n    at: {{ quote: {q(quote_of(r, pick(k)))} }}\n"
            f"    body: {block(prose(r, r.randint(1, 3)), 6)}"
            for k in range(5)
        )
        (root / "annotations/notes" / f"{slug}.yaml").write_text("notes:\n" + notes)
        stats["notes"] += 5
        essays.append(dict(slug=slug, pick=pick, free=[anchors[k] for k in order[11:]], incoming=0))
    out = {}
    for i, e in enumerate(essays):
        for k, off in enumerate((1, 7, 31)):
            j = (i + off) % n_essays
            if j == i:
                continue
            t = essays[j]
            t["incoming"] += 1
            rel = RELATIONS[(3 * i + k) % len(RELATIONS)]
            out.setdefault(f"part-{i // 100:03d}.yaml", []).append(
                f"  - id: {e['slug']}-{k + 1}\n    relation: {rel}\n"
                f"    from: {{ essay: {e['slug']}, quote: {q(quote_of(r, e['pick'](5 + k)))} }}\n"
                f"    to: {{ essay: {t['slug']}, quote: {q(quote_of(r, t['pick'](7 + t['incoming'])))} }}\n"
                f"    note: {block(prose(r, r.randint(1, 2)), 6)}"
            )
            stats["links"] += 1
    for name, items in out.items():
        (root / "annotations/links" / name).write_text("links:\n" + "".join(items))
    for i in range(0, len(debate), 2):
        qs = "".join(f"- {render(r, sentence(r, r.randint(8, 14)), False)}?\n" for _ in range(3))
        (root / "content" / f"{debate[i]}.md").write_text(
            f"---\ntitle: {q(title(r))}\nkind: debate\nessays: [{slugs[i]}, {slugs[i + 1]}]\n---\n\n{qs}"
        )
    (root / "content" / "about.md").write_text(
        "---\ntitle: About this corpus\nkind: page\n---\n\nGenerated by `benchmarks/bench_build.py`.\n"
    )
    terms = "".join(
        f"  - id: {a}-{b}\n    term: {q(f'{a} {b}'.capitalize())}\n    kind: concept\n"
        f"    match: [{a} {b}, {a} {plural(b)}]\n    definition: {block(prose(r, r.randint(1, 3)), 6)}"
        f"    see: [{', '.join(f'{x}-{y}' for x, y in r.sample(pairs, 2) if (x, y) != (a, b))}]\n"
        for a, b in pairs
    )
    (root / "annotations" / "glossary.yaml").write_text("terms:\n" + terms)
    return stats, essays


WRAPPER = """import json, os, resource, subprocess, sys, threading, time
def tree_pss(group):
    # the sum of PSS over every process of the build (its session): shared pages counted once
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getsid(int(pid)) != group:
                continue
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total
t = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], start_new_session=True)
peak = [0]
def watch():
    while child.poll() is None:
        peak[0] = max(peak[0], tree_pss(child.pid))
        time.sleep(0.02)
watcher = threading.Thread(target=watch, daemon=True)
watcher.start()
rc = child.wait(); wall = time.perf_counter() - t
watcher.join()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(json.dumps(dict(rc=rc, wall=wall, maxrss=ru.ru_maxrss, pss_kib=peak[0],
                                             cpu=ru.ru_utime + ru.ru_stime)))"""


FLOOR = """import sys, pathlib, yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
md = MarkdownIt("commonmark").use(footnote_plugin).enable("table")
for path in sorted(src.glob("*.md")):
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\\n", 2)
    meta = yaml.safe_load(front)
    html = f"<!doctype html><title>{meta.get('title', '')}</title>" + md.render(body)
    (out / (path.stem + ".html")).write_text(html, encoding="utf-8")
"""
"""The floor: a bare markdown-it-py (+ footnotes) and PyYAML read, render and write of the same content/*.md, serial."""


def floor_cmd(project, out):
    return [sys.executable, "-c", FLOOR, str(project / "content"), str(out)]


def tree_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def ratio(xs, ys):
    return statistics.median(xs) / statistics.median(ys)


def run(cmd, report):
    """Run cmd in a fresh wrapper process that times it and reads its children's peak RSS."""
    p = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(report), *cmd],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    res = json.loads(Path(report).read_text())
    res["mib"] = res["maxrss"] / (2**20 if sys.platform == "darwin" else 2**10)
    res["tree_mib"] = res["pss_kib"] / 2**10  # every process of the build together (sampled every 20 ms)
    res["output"] = p.stdout
    return res


def build(cmd, tmp, cold, project, out, own_out):
    if cold:  # a cold build: no output folder, no cache (anything the generator did not write)
        if own_out:
            shutil.rmtree(out, ignore_errors=True)
        for p in project.iterdir():
            if p.name not in GENERATED:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    res = run(cmd, tmp / "report.json")
    return res if res["rc"] == 0 else sys.exit(f"build failed (exit {res['rc']}):\n{res['output'][-3000:]}")


def edit_note(project, e, k):
    anchor = e["free"][(2 * k) % len(e["free"])][0]
    with open(project / "annotations/notes" / f"{e['slug']}.yaml", "a") as f:
        f.write(
            f"  - id: bench-edit-{k}\n    at: {{ quote: {q(quote_of(random.Random(k), anchor))} }}\n"
            f"    body: Added by the benchmark, round {k}.\n"
        )


def edit_word(project, e, k):
    path, i = project / "content" / f"{e['slug']}.md", (2 * k + 1) % len(e["free"])
    para = e["free"][i][1]
    m = next(m for m in re.finditer(r"\b[a-z]+\b", para) if m.group() in NOUN)
    new = para[: m.start()] + NOUN[(NOUN.index(m.group()) + 1) % len(NOUN)] + para[m.end() :]
    path.write_text(path.read_text().replace(para, new, 1))
    e["free"][i] = (e["free"][i][0], new)


def secs(xs):
    return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--essays", type=int, default=1000, help="number of essays (default 1000)")
    ap.add_argument("--terms", type=int, default=200, help="glossary terms (default 200; fewer for tiny N)")
    ap.add_argument("--repeat", type=int, default=3, help="builds to time (default 3)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--project-dir", type=Path, help="generate here (kept) instead of a temp folder")
    ap.add_argument("--out", type=Path, help="output folder (default: a temp folder)")
    ap.add_argument(
        "--edit-one",
        action="store_true",
        help="after one cold build, time rebuilds: unchanged, one note added, one word changed",
    )
    ap.add_argument("--check", action="store_true", help="also time `check` on the project")
    ap.add_argument("--generate-only", action="store_true", help="write the project and stop")
    a = ap.parse_args()
    if a.essays < 2 or a.repeat < 1:
        ap.error("need --essays >= 2 and --repeat >= 1")
    tmp = Path(tempfile.mkdtemp(prefix="cp-bench-"))
    project = (a.project_dir or tmp / "project").resolve()
    out = (a.out or tmp / "site").resolve()
    own_out = not a.out or not out.exists()  # only a folder made by this run is deleted between builds
    try:
        t = time.perf_counter()
        stats, essays = generate(project, a.essays, a.terms, a.seed)
        print(f"project:      {project} (generated in {time.perf_counter() - t:.1f} s)")
        print(
            f"essays:       {a.essays} (+{stats['debates']} debates, 1 page); {stats['notes']} notes, "
            f"{stats['links']} links, {stats['terms']} glossary terms"
        )
        print(f"words:        {stats['words']:,} (essay files: body and footnotes)")
        if a.generate_only:
            return
        cmd = [sys.executable, "-m", "builder", "build", "--project", str(project), "--out", str(out)]
        print(f"command:      cd {REPO} && {' '.join(cmd)}")
        if a.check:
            c = run([sys.executable, "-m", "builder", "check", "--project", str(project)], tmp / "r.json")
            print(
                f"check:        exit {c['rc']}, {c['wall']:.2f} s, {c['output'].count('error:')} errors, "
                f"{c['output'].count('warning:')} warnings, peak RSS {c['mib']:.0f} MiB"
            )
            if c["rc"]:
                print(c["output"][-3000:])
        floor_out = tmp / "floor"
        runs, floors = [], []
        for _ in range(a.repeat):  # alternate the floor and the build, so both see the same machine
            shutil.rmtree(floor_out, ignore_errors=True)
            floors.append(run(floor_cmd(project, floor_out), tmp / "floor.json"))
            runs.append(build(cmd, tmp, True, project, out, own_out))
        floor_wall = [r["wall"] for r in floors]
        pages = sum(1 for _ in out.rglob("*.html"))
        wall = statistics.median(r["wall"] for r in runs)
        print(
            f"floor:        {secs(floor_wall)}; peak RSS {max(r['mib'] for r in floors):.0f} MiB; "
            f"output {tree_bytes(floor_out) / 2**20:.1f} MiB"
        )
        print(f"cold build / floor:  {ratio([r['wall'] for r in runs], floor_wall):.2f}x (medians)")
        print(
            f"output bytes / floor: {tree_bytes(out) / tree_bytes(floor_out):.2f}x ({tree_bytes(out) / 2**20:.1f} MiB)"
        )
        print(f"pages:        {pages} written (.html files in the output)")
        print(
            f"cold build:   {secs([r['wall'] for r in runs])}; {1000 * wall / pages:.1f} ms per page; "
            f"CPU {statistics.median(r['cpu'] for r in runs):.2f} s"
        )
        print(
            f"peak memory:  {max(r['tree_mib'] for r in runs):.0f} MiB, all processes together (PSS, sampled); "
            f"largest single process {max(r['mib'] for r in runs):.0f} MiB RSS (max over runs; per run: "
            + ", ".join(format(r["mib"], ".0f") for r in runs)
            + ")"
        )
        if a.edit_one:
            e, times = essays[len(essays) // 2], dict(unchanged=[], note=[], word=[])
            for k in range(a.repeat):
                times["unchanged"].append(build(cmd, tmp, False, project, out, own_out)["wall"])
                edit_note(project, e, k)
                times["note"].append(build(cmd, tmp, False, project, out, own_out)["wall"])
                edit_word(project, e, k)
                times["word"].append(build(cmd, tmp, False, project, out, own_out)["wall"])
            print(
                f"rebuild, nothing changed:          {secs(times['unchanged'])}; "
                f"{ratio(times['unchanged'], floor_wall):.3f}x floor"
            )
            print(
                f"rebuild, note appended to {e['slug']}: {secs(times['note'])}; "
                f"{ratio(times['note'], floor_wall):.3f}x floor"
            )
            print(
                f"rebuild, one word changed in it:   {secs(times['word'])}; "
                f"{ratio(times['word'], floor_wall):.3f}x floor"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # --project-dir / --out outside tmp are kept


if __name__ == "__main__":
    main()
