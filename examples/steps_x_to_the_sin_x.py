"""Steps of d/dx x^sin(x): logarithmic differentiation with a product rule inside.

Run: python examples/steps_x_to_the_sin_x.py [text|markdown|latex] [en|ja]
"""

import sys

import symdiff

fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
lang = sys.argv[2] if len(sys.argv) > 2 else "en"
print(symdiff.derive("x^sin(x)", "x").render(fmt, lang))
