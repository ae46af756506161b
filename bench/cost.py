"""`make cost`: what a configuration costs a month, idle (no work queued) and at full scale.

Reads the same settings as the app (`-c key=value`, then the environment fallbacks, then the
defaults) and prices them with the on-demand list prices below, one line per billed item:

    python bench/cost.py -c nodesMin=0 -c nodes=0

Prices are on-demand, Linux, us-west-2, from the AWS Price List as of PRICES_AS_OF. They are a
guide for choosing settings, not a quote: usage-based charges (data processed, logs) are listed
as not included, and Savings Plans, Reserved Instances or spot change the instance lines.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping, Sequence

# Run as `python bench/cost.py`, the project's top-level modules are one directory up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import context_args  # noqa: E402
from bench.cost_comparison import compare, render_comparison  # noqa: E402
from bench.monthly_cost import monthly_costs, render  # noqa: E402
from bench.prices import MissingPrice  # noqa: E402
from settings import SettingError, load_settings  # noqa: E402


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = context_args.parser(__doc__.splitlines()[0], prog="bench/cost.py")
    parser.add_argument("--compare", action="store_true",
                        help="the default, scale to zero, spot GPUs and Auto Mode side by side (bench/cost_comparison.py)")
    try:
        args, context = context_args.parse(parser, argv)
    except context_args.BadArguments as err:
        print(err.line, file=sys.stderr)
        return 2
    try:
        if args.compare:
            return _compare(context, environ)
        settings = load_settings(context, environ)
        report = monthly_costs(settings)
    except (SettingError, MissingPrice) as err:
        print(err.line, file=sys.stderr)
        return 2
    print(render(report, settings.cluster.cluster_name))
    return 0


def _compare(context: Mapping[str, str], environ: Mapping[str, str]) -> int:
    print(render_comparison(compare(context, environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
