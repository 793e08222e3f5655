"""The bottom layer: Posko's vocabulary, records and rules. No I/O, no PTB, no side effects."""
