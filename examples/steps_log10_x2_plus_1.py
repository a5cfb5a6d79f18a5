"""Steps of d/dx log_10(x^2 + 1): the chain rule around the base-10 logarithm rule.

Run: python examples/steps_log10_x2_plus_1.py [text|markdown|latex] [en|ja]
"""

import sys

import symdiff

fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
lang = sys.argv[2] if len(sys.argv) > 2 else "en"
print(symdiff.derive("log_10(x^2 + 1)", "x").render(fmt, lang))
