"""Learned extraction: broad candidate clauses, a trained keep/drop classifier, titles."""
