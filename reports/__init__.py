"""Reports for managers and gates for CI: the HTML report, the gate, the comparison."""
