"""Storage behind protocols; every backend passes the same contract suite."""
