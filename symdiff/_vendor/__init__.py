"""Third-party code shipped for running symdiff from a source tree without an install.

lark/ is Lark 1.3.1 (MIT, see lark/LICENSE), unmodified but for the omitted
tools/ and __pyinstaller/ folders.  An installed lark always wins (see parse.py);
the wheel leaves this folder out and depends on lark instead.
"""
