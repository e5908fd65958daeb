"""Search in stages: parse the query, gather candidates (codes, words), score and merge."""
