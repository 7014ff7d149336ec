"""The exercise stubs that ``tinydl exercises new DIR`` copies for the learner to fill in.

Each file is plain Python, read by the learner and never imported from here: the checker
loads the learner's copy by its path.
"""
