"""Steps of d/dx x^x: logarithmic differentiation, y = x^x, ln y = x ln x.

Run: python examples/steps_x_to_the_x.py [text|markdown|latex] [en|ja]
"""

import sys

import symdiff

fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
lang = sys.argv[2] if len(sys.argv) > 2 else "en"
print(symdiff.derive("x^x", "x").render(fmt, lang))
