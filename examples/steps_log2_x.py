"""Steps of d/dx log_2(x): the logarithm rule with a numeric base, b = 2.

Run: python examples/steps_log2_x.py [text|markdown|latex] [en|ja]
"""

import sys

import symdiff

fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
lang = sys.argv[2] if len(sys.argv) > 2 else "en"
print(symdiff.derive("log_2(x)", "x").render(fmt, lang))
