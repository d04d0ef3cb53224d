"""Run every benchmark; each prints JSON lines with `name`, `wall_s`, its parameters and ratios."""

from bench import health_sweep


def main() -> None:
    """Run the benchmarks in turn."""
    health_sweep.main()


if __name__ == "__main__":
    main()
