"""Steps of d/dx sigmoid(w*x + b), one neuron's activation: chain rule around the sigmoid rule.

Run: python examples/steps_sigmoid_neuron.py [text|markdown|latex] [en|ja]
"""

import sys

import symdiff

fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
lang = sys.argv[2] if len(sys.argv) > 2 else "en"
print(symdiff.derive("sigmoid(w*x + b)", "x").render(fmt, lang))
