"""The SVG charts of the results: bars and lines, titled, escaped, secret-aware."""

import re

from surveys.charts import bar_chart, line_chart, nice_ceiling


def widths(svg):
    return [float(width) for width in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]


def test_bar_chart_draws_one_bar_per_value_scaled_to_the_largest():
    svg = bar_chart("Secteur", [("Industrie", 50, "50 %"), ("Services", 25, "25 %")])
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title>Secteur</title>" in svg
    first, second = widths(svg)
    assert first == 2 * second
    assert "Industrie : 50 %" in svg


def test_bar_chart_uses_a_fixed_maximum_for_percentages():
    svg = bar_chart("Part", [("Oui", 50, "50 %")], maximum=100)
    full = bar_chart("Part", [("Oui", 100, "100 %")], maximum=100)
    assert widths(svg)[0] * 2 == widths(full)[0]


def test_a_secret_bar_has_no_length_and_says_secret():
    svg = bar_chart("Région", [("Bretagne", None, "secret"), ("Corse", 10, "10")])
    assert widths(svg)[0] == 0
    assert ">secret</text>" in svg


def test_bar_chart_escapes_labels_and_shortens_long_ones():
    label = "<script>alert(1)</script>" + "x" * 50
    svg = bar_chart("T & T", [(label, 1, "1")])
    assert "<script>" not in svg
    assert "T &amp; T" in svg
    assert "…" in svg


def test_bar_chart_without_bars_is_empty():
    assert bar_chart("Rien", []) == ""


def test_bar_chart_of_zeros_draws_no_bar():
    assert widths(bar_chart("Zéro", [("A", 0, "0"), ("B", 0, "0")])) == [0, 0]


def test_line_chart_draws_a_point_per_year_and_breaks_at_a_secret_one():
    svg = line_chart(
        "Étudiants", [(2015, 10, "10"), (2016, 20, "20"), (2017, None, "secret"), (2018, 30, "30")]
    )
    assert "<title>Étudiants</title>" in svg
    assert svg.count("<circle") == 3
    # Two segments: 2015-2016, then 2018 alone draws no line.
    assert svg.count("<polyline") == 1
    assert ">secret</text>" in svg
    for year in ("2015", "2016", "2017", "2018"):
        assert f">{year}</text>" in svg


def test_line_chart_puts_a_larger_value_higher():
    svg = line_chart("Total", [(2016, 10, "10"), (2017, 40, "40")])
    ys = [float(y) for y in re.findall(r'<circle cx="[0-9.]+" cy="([0-9.]+)"', svg)]
    assert ys[1] < ys[0]


def test_line_chart_axis_ends_on_a_round_number():
    svg = line_chart("Total", [(2016, 1234, "1 234")])
    assert ">2\u00a0000</text>" in svg or ">2 000</text>" in svg


def test_line_chart_without_points_is_empty():
    assert line_chart("Rien", []) == ""


def test_nice_ceiling():
    assert nice_ceiling(0) == 1
    assert nice_ceiling(3) == 5
    assert nice_ceiling(100) == 100
    assert nice_ceiling(101) == 200
    assert nice_ceiling(0.3) == 0.5
    assert nice_ceiling(2400) == 2500
