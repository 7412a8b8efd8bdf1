"""Per-business branding for the back office: a palette from the brand colour."""

WEIGHTS = {
    "50": 0.95,
    "100": 0.9,
    "200": 0.75,
    "300": 0.6,
    "400": 0.3,
    "500": 0.0,
    "600": -0.15,
    "700": -0.3,
    "800": -0.45,
    "900": -0.6,
    "950": -0.75,
}


def _mix(rgb: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """Mix towards white (amount > 0) or black (amount < 0)."""
    target = 255 if amount > 0 else 0
    a = abs(amount)
    return tuple(round(c + (target - c) * a) for c in rgb)


def palette(hex_colour: str) -> dict[str, str]:
    """Return unfold's primary weights (50–950) as `rgb(r, g, b)` strings."""
    h = hex_colour.lstrip("#")
    rgb = (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    return {
        weight: "rgb({}, {}, {})".format(*_mix(rgb, amount))
        for weight, amount in WEIGHTS.items()
    }
