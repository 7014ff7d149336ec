"""The exercise stubs that ``tinydl exercises new DIR`` copies for the learner to fill in.

Each file is plain Python, read by the learner; the checker never imports it from here, it
loads the learner's copy by its path. (The worked solutions in tests/exercise_solutions/
import the stubs, to inherit the code given to the learner.)
"""
