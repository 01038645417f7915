"""Checks notebooks that `lectern run --to ipynb` / `lectern export --ipynb` wrote: valid against
the nbformat schema, and every code cell is Python that compiles. Used by the Swift tests
(ExportTests) with Debian's python3-nbformat. Prints one line per notebook; exits 1 on a problem.
"""
import sys

import nbformat

status = 0
for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    try:
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        for cell in code:
            compile(cell.source, f"{path}:{cell.id}", "exec")
        outputs = sum(len(cell.outputs) for cell in code)
        print(f"{path}: valid nbformat {notebook.nbformat}.{notebook.nbformat_minor}, {len(code)} code cells compile, {outputs} outputs")
    except Exception as problem:  # report every notebook, then fail
        print(f"{path}: {type(problem).__name__}: {problem}")
        status = 1
sys.exit(status)
