"""Plots: the data in the figure's lines (not pixels) and the `plot` command."""

import math
import subprocess
import sys

import pytest

import symdiff
from support.extras import need

need("matplotlib", "plot")
np = need("numpy", "plot")


def lines(fig) -> dict:
    """gid -> (x, y) arrays of every named line on the axis."""
    return {line.get_gid(): (np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float))
            for line in fig.axes[0].lines if line.get_gid()}


def segments(xs, ys):
    """The segments a line draws: neighbouring samples, both finite, as (x0, x1, y0, y1)."""
    ok = np.isfinite(ys[:-1]) & np.isfinite(ys[1:]) & np.isfinite(xs[:-1]) & np.isfinite(xs[1:])
    return xs[:-1][ok], xs[1:][ok], ys[:-1][ok], ys[1:][ok]


def assert_values(xs, ys, f):
    ok = np.isfinite(ys)
    assert ok.sum() > 100
    expected = np.array([f(v) for v in xs[ok]])
    np.testing.assert_allclose(ys[ok], expected, rtol=1e-12, atol=1e-12)


def test_ln_is_drawn_only_where_it_is_defined():
    fig = symdiff.plot("ln(x)", range=(-3, 3))
    data = lines(fig)
    assert set(data) == {"f0", "f1"}
    assert fig.axes[0].get_xlim() == (-3, 3)
    for gid, f in (("f0", math.log), ("f1", lambda v: 1 / v)):
        xs, ys = data[gid]
        drawn = np.isfinite(ys)
        assert (xs[drawn] > 0).all()  # no line through x <= 0, for f and for f'
        assert np.isnan(ys[np.isfinite(xs) & (xs <= 0)]).all()  # gaps there, not zeros
        assert xs[drawn].max() == 3 and xs[drawn].min() < 0.01
        assert_values(xs, ys, f)


@pytest.mark.parametrize(
    "text,               expected",
    [
        ("ln(x)",            (0, 3)),            # starts at the edge of the domain, not half empty
        ("log_2(x)",         (0, 3)),
        ("sqrt(x)",          (0, 3)),
        ("x^x",              (0, 3)),            # values at -1, -2, -3 alone do not count
        ("ln(-x)",           (-3, 0)),
        ("sqrt(1 - x^2)",    (-1, 1)),
        ("ln(x - 5)",        (5, 10)),           # no values in -3..3: the next window
        ("x^2",              (-3, 3)),
        ("1/x",              (-3, 3)),
        ("x*sin(x)",         (-3, 3)),           # not periodic
        ("sin(x)",           (-2 * math.pi, 2 * math.pi)),  # two periods
        ("tan(x)",           (-math.pi, math.pi)),
        ("cos(x/2)",         (-4 * math.pi, 4 * math.pi)),
        ("sin(2x) + cos(x)", (-2 * math.pi, 2 * math.pi)),
        ("exp(sin(x))",      (-2 * math.pi, 2 * math.pi)),
        ("sin(x) + sin(sqrt(2)*x)", (-3, 3)),   # periods without a common multiple
    ],
)
def test_default_range_follows_the_domain(text, expected):
    fig = symdiff.plot(text)
    assert fig.axes[0].get_xlim() == pytest.approx(expected)


def test_axes_are_labelled_in_readable_type():
    ax = symdiff.plot("x^2").axes[0]
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "$y$"
    assert ax.xaxis.label.get_size() >= 14 and ax.yaxis.label.get_size() >= 14
    assert all(t.get_fontsize() >= 12 for t in ax.get_legend().get_texts())
    assert tuple(ax.figure.get_size_inches()) == (8, 5)


def test_derivative_has_gaps_where_the_function_has_none_to_differentiate():
    xs, ys = lines(symdiff.plot("sqrt(x)", order=2))["f2"]
    assert (xs[np.isfinite(ys)] > 0).all()
    assert_values(xs, ys, lambda v: -0.25 * v ** -1.5)


def test_tan_has_no_vertical_spikes_at_its_poles():
    fig = symdiff.plot("tan(x)", range=(-3, 3))
    bottom, top = fig.axes[0].get_ylim()
    data = lines(fig)
    for gid, f in (("f0", math.tan), ("f1", lambda v: 1 / math.cos(v) ** 2)):
        xs, ys = data[gid]
        assert_values(xs, ys, f)
        x0, x1, y0, y1 = segments(xs, ys)
        assert (np.abs(y1 - y0) <= top - bottom).all()  # no segment crosses the whole view
        for pole in (-math.pi / 2, math.pi / 2):
            assert not ((x0 < pole) & (pole < x1)).any()  # the line is broken at the pole
    # ... and the curve still runs off both edges of the view toward each pole.
    xs, ys = data["f0"]
    assert np.nanmax(ys) > top and np.nanmin(ys) < bottom
    # Unbroken, the same samples would draw spikes: the check above can fail.
    raw = np.tan(xs[np.isfinite(xs)])
    assert (np.abs(np.diff(raw)) > top - bottom).sum() >= 2


def test_a_smooth_function_is_not_cut_off_by_the_view():
    fig = symdiff.plot("exp(x)", order=2)
    bottom, top = fig.axes[0].get_ylim()
    assert bottom <= 0 and top >= math.exp(3)


def test_sigmoid_second_order_with_the_tangent_at_zero():
    fig = symdiff.plot("sigmoid(x)", order=2, at=0)
    data = lines(fig)
    assert set(data) == {"f0", "f1", "f2", "tangent", "point"}

    def s(v):
        return 1 / (1 + math.exp(-v))

    assert_values(*data["f0"], s)
    assert_values(*data["f1"], lambda v: s(v) * (1 - s(v)))
    assert_values(*data["f2"], lambda v: s(v) * (1 - s(v)) * (1 - 2 * s(v)))
    assert_values(*data["tangent"], lambda v: 0.5 + 0.25 * v)
    assert [list(a) for a in data["point"]] == [[0.0], [0.5]]
    labels = [line.get_label() for line in fig.axes[0].lines if line.get_gid() in ("f0", "f1", "f2")]
    assert labels[0] == r"$f(x) = \sigma\left(x\right)$"
    assert labels[2].startswith("$f''(x) = ")


def test_every_table_function_is_labelled_in_typeset_maths():
    from matplotlib.mathtext import MathTextParser

    from symdiff.expr import sym
    from symdiff.functions import ROWS
    from symdiff.plotting import _label

    parser = MathTextParser("path")
    for row in ROWS:
        e = symdiff.diff(row(*[sym("x")] * row.arity), "x")
        assert _label(1, sym("x"), e, parser).startswith("$f'(x) = "), row.name


def test_a_label_mathtext_rejects_falls_back_to_plain_text():
    from symdiff.plotting import _label

    class Rejecting:
        def parse(self, text):
            raise ValueError(text)

    x = symdiff.parse("y_{i}")
    assert _label(2, x, symdiff.parse("log_2(y_i)"), Rejecting()) == "f''(y_i) = log_2(y_i)"


@pytest.mark.parametrize(
    "args, message",
    [
        (("ln(x)",), None),
        (("sqrt(-1 - x^2)",), "has no real values for x in [-3, 3]"),
        (("ln(x)", "x", (-3, -1)), "has no real values for x in [-3, -1]"),
        (("x*y",), "several variables"),
        (("x*y", "x"), "y would need values"),
        (("x", "x", (3, 1)), "the first smaller"),
        (("x", "x", (-3, 3), 5), "order 0 to 3"),
    ],
)
def test_plot_errors_are_symdiff_errors(args, message):
    if message is None:
        symdiff.plot(*args)
        return
    with pytest.raises(symdiff.SymdiffError, match=message.replace("[", r"\[").replace("]", r"\]")):
        symdiff.plot(*args)


def test_no_tangent_where_the_function_is_undefined():
    with pytest.raises(symdiff.SymdiffError, match="no tangent at x = -1"):
        symdiff.plot("ln(x)", at=-1)


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_cli_writes_svg_and_png_and_reads_both_range_spellings(tmp_path):
    out = run("plot", "tan(x)", "--range", "-3:3", "-o", str(tmp_path / "tan.svg"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "tan.svg").read_text().lstrip().startswith("<?xml")
    out = run("plot", "sigmoid(x)", "--range=-2:2", "--order", "2", "--at", "-0.5", "-o", str(tmp_path / "s.png"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_reports_no_real_values_with_exit_2(tmp_path):
    out = run("plot", "ln(x)", "--range", "-3:-1", "-o", str(tmp_path / "ln.png"))
    assert out.returncode == 2
    assert "has no real values" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "ln.png").exists()


def test_cli_without_matplotlib_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None; from symdiff.cli import main; "
            f"sys.exit(main(['plot', 'x^2', '-o', {str(tmp_path / 'x.png')!r}]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "pip install 'symdiff[plot]'" in out.stderr and "Traceback" not in out.stderr
