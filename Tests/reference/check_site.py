"""Checks a course site built from the shipped lessons (`make site-check`, run by CI).

    python3 Tests/reference/check_site.py SITE COURSE_FOLDER [--frozen-from FOLDER]

- every link between the pages resolves, anchors included;
- the index lists every lesson of COURSE_FOLDER/course.yaml, in order;
- the search index finds, for each lesson, a word of its own prose, on its own page;
- each lesson has a PDF of a plausible length (2 to 40 pages) and course.pdf has their sum
  (pdfinfo, from poppler-utils);
- with --frozen-from, the site was built with --frozen from FOLDER: every train, evaluate and
  predict cell of every lesson came from the cache.
Standard library only (Debian's python3), plus pdfinfo.
"""
import html.parser
import json
import pathlib
import re
import subprocess
import sys


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href") and ":" not in attributes["href"]:
            self.hrefs.append(attributes["href"])
        if tag == "img" and attributes.get("src") and ":" not in attributes["src"]:
            self.hrefs.append(attributes["src"])


def pages_of(pdf):
    output = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", output).group(1))


def main():
    site, course = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    frozen = "--frozen-from" in sys.argv
    problems = []
    parsed = {}
    for page in site.rglob("*.html"):
        links = Links()
        links.feed(page.read_text(encoding="utf-8"))
        parsed[page.relative_to(site).as_posix()] = links
    root = site.resolve()
    for name, links in parsed.items():
        folder = (site / name).parent
        for href in links.hrefs:
            target, _, anchor = href.partition("#")
            resolved = (folder / target).resolve() if target else (site / name).resolve()
            key = resolved.relative_to(root).as_posix() if root in resolved.parents else None
            if key is None:
                problems.append(f"{name}: link to {target}, which leaves the site")
            elif not resolved.exists():
                problems.append(f"{name}: link to missing {target}")
            elif anchor and key in parsed and anchor not in parsed[key].ids:
                problems.append(f"{name}: link to {target}#{anchor}, which has no such id")
    lessons = [line.strip()[2:].strip() for line in (course / "course.yaml").read_text().splitlines() if line.strip().startswith("- ")]
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{pathlib.Path(lesson).stem}.html"') for lesson in lessons]
    if -1 in positions or positions != sorted(positions):
        problems.append(f"index.html does not list {lessons} in order: {positions}")
    entries = json.loads(re.search(r'<script id="search-index" type="application/json">(.*?)</script>', index, re.S).group(1))
    for lesson in lessons:
        stem = pathlib.Path(lesson).stem
        prose = re.sub(r"^---.*?---", "", (course / lesson).read_text(encoding="utf-8"), flags=re.S)
        words = [w for w in re.findall(r"[A-Za-z]{9,}", prose.split("```")[0])]
        word = words[len(words) // 2].lower() if words else stem
        if not any(e["href"].startswith(stem + ".html") and word in e["text"].lower() for e in entries):
            problems.append(f"the search does not find `{word}` on {stem}.html")
    total = 0
    for lesson in lessons:
        pdf = site / (pathlib.Path(lesson).stem + ".pdf")
        count = pages_of(pdf) if pdf.exists() else 0
        if not 2 <= count <= 40:
            problems.append(f"{pdf.name}: {count} pages")
        total += count
    if (site / "course.pdf").exists() and pages_of(site / "course.pdf") != total:
        problems.append(f"course.pdf: {pages_of(site / 'course.pdf')} pages, the lessons have {total}")
    if frozen:
        for lesson in lessons:
            cells = json.loads((site / (pathlib.Path(lesson).stem + ".json")).read_text())["cells"]
            computed = [f"{c['directive']} (line {c['line']})" for c in cells if c["directive"] in ("train", "evaluate", "predict") and not c["cached"]]
            if computed:
                problems.append(f"{lesson}: --frozen computed {', '.join(computed)}")
    for problem in problems:
        print(problem)
    print(f"{site}: {len(parsed)} pages, {len(lessons)} lessons, {total} PDF pages: " + ("ok" if not problems else f"{len(problems)} problems"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
